// Re-verifies PUBLISHED connections in the background, each at most once an hour, in every server
// process. A round claims the due connections with one statement (FOR UPDATE SKIP LOCKED) that also
// sets their lastVerifiedAt to now, so a connection another process claimed, or checked less than
// an hour ago, is not due: several processes on one database check each connection once. lastVerifiedAt
// is thus when the last check started; its result follows within CONNECTION_VERIFY_TIMEOUT_MS. A process that
// dies mid-check leaves the health as it was, and the connection is checked again an hour later.
// The events are recorded as the SYSTEM actor.
import { pollingWorker, type BackgroundWorker } from '../core/serial-rounds.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Prisma } from '../db/database.ts';
import type { EventPlace } from '../events/record.ts';
import type { Connection } from '../generated/prisma/client.ts';
import { recordVerification, type ConnectionDependencies } from './service.ts';
import { backgroundVerificationSlot, VERIFICATIONS_PER_ORGANIZATION, VERIFICATIONS_PER_PROCESS } from './verification-slots.ts';

/** A connection is checked again once its last check is this old. */
export const REVERIFY_AFTER_MS = 60 * 60 * 1000;
/** Connections claimed at once: no more than may be checked at once (each holds no database connection while it waits). */
const BATCH = VERIFICATIONS_PER_PROCESS;

export interface ReverificationDependencies extends ConnectionDependencies {
  prisma: Prisma;
  clock: Clock;
  log: Logger;
  pollMs: number;
  /** False until the database is migrated, and while shutting down: rounds are skipped. */
  active: () => boolean;
}

/**
 * Where a background check's event belongs: the connection's tenant and organization, and, when the
 * tenant is an ACTIVE EXPRESS account's, that account, so its platform sees the event as it sees the
 * ones it caused while acting for the account. A pending, suspended or revoked account's platform
 * learns nothing of it: it may not act for the account either.
 */
async function placeOfConnection(prisma: Prisma, connection: Connection): Promise<EventPlace> {
  const [tenant, account] = await Promise.all([
    prisma.tenant.findUniqueOrThrow({ where: { id: connection.tenantId }, select: { organizationId: true } }),
    prisma.connectedAccount.findFirst({
      where: { connectedTenantId: connection.tenantId, connectionType: 'EXPRESS', status: 'ACTIVE' },
      select: { id: true, platformOrganizationId: true },
    }),
  ]);
  return {
    organizationId: tenant.organizationId,
    tenantId: connection.tenantId,
    connectedAccountId: account?.id ?? null,
    platformOrganizationId: account?.platformOrganizationId ?? null,
  };
}

/** A connection claimed for a check, with who answers for it (its slot counts there). */
interface ClaimedConnection {
  connection: Connection;
  accountableOrganizationId: string;
}

export function startConnectionReverification(deps: ReverificationDependencies): BackgroundWorker {
  const { prisma, clock, log } = deps;

  async function claim(now: Date): Promise<ClaimedConnection[]> {
    const dueBefore = new Date(now.getTime() - REVERIFY_AFTER_MS);
    // Ranked per accountable organization: a batch holds at most VERIFICATIONS_PER_ORGANIZATION of
    // one's connections, so a platform whose providers do not answer, in however many tenants,
    // cannot fill a round with its slow checks.
    const claimed = await prisma.$queryRaw<{ id: string; accountableOrganizationId: string }[]>`
      UPDATE "Connection" SET "lastVerifiedAt" = ${now}
      WHERE "id" IN (
        SELECT c."id" FROM "Connection" c
        WHERE c."id" IN (
          SELECT "id" FROM (
            SELECT d."id", d."lastVerifiedAt",
                   row_number() OVER (PARTITION BY accountable_organization(d."tenantId") ORDER BY d."lastVerifiedAt" ASC NULLS FIRST, d."id") AS "turn"
            FROM "Connection" d
            WHERE d."status" = 'PUBLISHED' AND d."encryptedSecrets" IS NOT NULL
              AND (d."lastVerifiedAt" IS NULL OR d."lastVerifiedAt" <= ${dueBefore})
              -- Not a deactivated sub-account's: it is cut off until reactivated, its events included.
              AND NOT EXISTS (SELECT 1 FROM "SubAccount" s WHERE s."tenantId" = d."tenantId" AND s."status" = 'DEACTIVATED')
          ) due
          WHERE "turn" <= ${VERIFICATIONS_PER_ORGANIZATION}
          ORDER BY "turn", "lastVerifiedAt" ASC NULLS FIRST
          LIMIT ${BATCH})
          -- Checked again once locked: another process may have claimed it meanwhile.
          AND (c."lastVerifiedAt" IS NULL OR c."lastVerifiedAt" <= ${dueBefore})
        FOR UPDATE SKIP LOCKED)
      RETURNING "id", accountable_organization("tenantId") AS "accountableOrganizationId"`;
    if (claimed.length === 0) return [];
    const accountable = new Map(claimed.map(({ id, accountableOrganizationId }) => [id, accountableOrganizationId] as const));
    const rows = await prisma.connection.findMany({ where: { id: { in: [...accountable.keys()] } } });
    return rows.flatMap((connection) => {
      const accountableOrganizationId = accountable.get(connection.id);
      return accountableOrganizationId ? [{ connection, accountableOrganizationId }] : [];
    });
  }

  /** Within the process's bounds on checks in flight, shared with the requests' verifyConnection. */
  async function verifyOne({ connection, accountableOrganizationId }: ClaimedConnection, now: Date): Promise<boolean> {
    const release = await backgroundVerificationSlot({ id: connection.id, accountableOrganizationId });
    if (!release) return false; // A request is checking it now: that result is recorded.
    try {
      const place = await placeOfConnection(prisma, connection);
      const after = await recordVerification(prisma, deps, connection, { actor: { type: 'SYSTEM' }, place, now: () => now });
      log.info({ connectionId: connection.id, health: after.healthStatus }, 'connection re-verified');
      return true;
    } finally {
      release();
    }
  }

  async function round(stopping: () => boolean): Promise<number> {
    let verified = 0;
    while (!stopping()) {
      const now = clock.now();
      const batch = await claim(now);
      if (batch.length === 0) break;
      const results = await Promise.allSettled(batch.map((connection) => verifyOne(connection, now)));
      for (const [index, result] of results.entries()) {
        if (result.status === 'fulfilled') verified += result.value ? 1 : 0;
        else log.error({ err: result.reason, connectionId: batch[index]?.connection.id }, 'connection re-verification not recorded');
      }
    }
    return verified;
  }

  return pollingWorker({
    round,
    pollMs: deps.pollMs,
    active: deps.active,
    failed: (error) => log.error({ err: error }, 'connection re-verification round failed'),
  });
}
