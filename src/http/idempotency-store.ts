// The Idempotency-Key table: one claim per (API key, idempotency key) taken by a single statement,
// so exactly one request runs however many processes receive its retries; the answer it kept,
// sealed so that only the API key that got it can read it back; and the cleanup after 24 h.
import { createHmac } from 'node:crypto';
import type { PresentedApiKey } from '../auth/presented-api-key.ts';
import { decryptSecret, encryptSecret } from '../crypto/encryption.ts';
import type { KeyRing } from '../crypto/key-ring.ts';
import type { Prisma } from '../db/database.ts';

/** How long a completed answer is replayed. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;
/** A running request holds its key this long, extended while it runs; a dead one's key is taken over after. */
export const IDEMPOTENCY_LOCK_MS = 60_000;

/** The row's identity, and the API key its keys derive from (whose secret is never stored). */
export interface IdempotencyClaimant {
  callerHash: string;
  key: string;
  apiKey: PresentedApiKey;
}

export function claimantOf(apiKey: PresentedApiKey, idempotencyKey: string): IdempotencyClaimant {
  return { callerHash: apiKey.hash, key: idempotencyKey, apiKey };
}

/** A key of 32 bytes derived from the caller's API key secret, which the database does not hold. */
const derivedKey = (claimant: IdempotencyClaimant, purpose: string) => claimant.apiKey.derivedKey(`connect/idempotency/${purpose}`);

/**
 * What makes a retry "the same request". Keyed by the caller's secret: the variables may hold a
 * password or a provider secret, and a plain hash of them would be open to guessing from a dump.
 */
export function requestFingerprint(claimant: IdempotencyClaimant, canonicalRequest: string): string {
  return createHmac('sha256', derivedKey(claimant, 'fingerprint')).update(canonicalRequest).digest('hex');
}

function sealingRing(claimant: IdempotencyClaimant): KeyRing {
  const key = derivedKey(claimant, 'response');
  return { current: { version: 1, key }, keys: new Map([[1, key]]) };
}

const boundTo = (claimant: IdempotencyClaimant) => `${claimant.callerHash}:${claimant.key}`;

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type ClaimOutcome =
  | { kind: 'claimed' }
  | { kind: 'completed'; response: StoredResponse }
  | { kind: 'in-progress' }
  | { kind: 'reused' };

interface Row {
  fingerprint: string;
  status: 'IN_PROGRESS' | 'COMPLETED';
  responseStatus: number | null;
  responseHeaders: unknown;
  responseBody: string | null;
}

/**
 * One INSERT … ON CONFLICT: a new key is inserted; an expired row (older than 24 h, not yet
 * cleaned) or a running row of the same request whose lock ran out (its process died) is taken
 * over in the same statement. Whoever gets a row back runs the request; everyone else reads what
 * is there. The row can vanish in between (its request failed and released it): then claim again.
 */
export async function claimIdempotencyKey(
  prisma: Prisma,
  claimant: IdempotencyClaimant,
  fingerprint: string,
  now: Date,
): Promise<ClaimOutcome> {
  const lockedUntil = new Date(now.getTime() + IDEMPOTENCY_LOCK_MS);
  const expiredBefore = new Date(now.getTime() - IDEMPOTENCY_KEY_TTL_MS);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const claimed = await prisma.$queryRaw<unknown[]>`
      INSERT INTO "IdempotencyKey" ("callerHash", "key", "fingerprint", "status", "lockedUntil", "createdAt")
      VALUES (${claimant.callerHash}, ${claimant.key}, ${fingerprint}, 'IN_PROGRESS', ${lockedUntil}, ${now})
      ON CONFLICT ("callerHash", "key") DO UPDATE SET
        "fingerprint" = EXCLUDED."fingerprint", "status" = 'IN_PROGRESS', "responseStatus" = NULL,
        "responseHeaders" = NULL, "responseBody" = NULL, "lockedUntil" = EXCLUDED."lockedUntil", "createdAt" = EXCLUDED."createdAt"
      WHERE "IdempotencyKey"."createdAt" <= ${expiredBefore}
        OR ("IdempotencyKey"."status" = 'IN_PROGRESS' AND "IdempotencyKey"."lockedUntil" <= ${now}
            AND "IdempotencyKey"."fingerprint" = EXCLUDED."fingerprint")
      RETURNING 1 AS "claimed"`;
    if (claimed.length > 0) return { kind: 'claimed' };
    const row: Row | null = await prisma.idempotencyKey.findUnique({
      where: { callerHash_key: { callerHash: claimant.callerHash, key: claimant.key } },
      select: { fingerprint: true, status: true, responseStatus: true, responseHeaders: true, responseBody: true },
    });
    if (!row) continue;
    if (row.fingerprint !== fingerprint) return { kind: 'reused' };
    if (row.status === 'IN_PROGRESS' || row.responseBody === null) return { kind: 'in-progress' };
    return {
      kind: 'completed',
      response: {
        status: row.responseStatus ?? 200,
        headers: (row.responseHeaders ?? {}) as Record<string, string>,
        body: decryptSecret(sealingRing(claimant), row.responseBody, boundTo(claimant)),
      },
    };
  }
  return { kind: 'in-progress' };
}

const runningRow = (claimant: IdempotencyClaimant, fingerprint: string) => ({
  callerHash: claimant.callerHash,
  key: claimant.key,
  fingerprint,
  status: 'IN_PROGRESS' as const,
});

/** The request still runs: keep others from taking its key over. */
export async function extendIdempotencyLock(prisma: Prisma, claimant: IdempotencyClaimant, fingerprint: string, now: Date): Promise<void> {
  await prisma.idempotencyKey.updateMany({
    where: runningRow(claimant, fingerprint),
    data: { lockedUntil: new Date(now.getTime() + IDEMPOTENCY_LOCK_MS) },
  });
}

/** Keeps the answer the client got, sealed with a key derived from its API key secret. */
export async function completeIdempotencyKey(
  prisma: Prisma,
  claimant: IdempotencyClaimant,
  fingerprint: string,
  response: StoredResponse,
): Promise<void> {
  await prisma.idempotencyKey.updateMany({
    where: runningRow(claimant, fingerprint),
    data: {
      status: 'COMPLETED',
      responseStatus: response.status,
      responseHeaders: response.headers,
      responseBody: encryptSecret(sealingRing(claimant), response.body, boundTo(claimant)),
    },
  });
}

/** The request did not complete (refused, failed, unavailable): its retry runs afresh. */
export async function releaseIdempotencyKey(prisma: Prisma, claimant: IdempotencyClaimant, fingerprint: string): Promise<void> {
  await prisma.idempotencyKey.deleteMany({ where: runningRow(claimant, fingerprint) });
}

/** Deletes the rows older than 24 h; resolves with how many. */
export async function deleteExpiredIdempotencyKeys(prisma: Prisma, now: Date): Promise<number> {
  const { count } = await prisma.idempotencyKey.deleteMany({
    where: { createdAt: { lt: new Date(now.getTime() - IDEMPOTENCY_KEY_TTL_MS) } },
  });
  return count;
}
