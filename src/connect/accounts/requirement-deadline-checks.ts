// Notices requirement deadlines passing, in every server process, each once. A round claims the
// accounts that hold a deadline now passed and not yet seen (FOR UPDATE SKIP LOCKED on the accounts,
// the first lock of every Connect write, so a submission in progress is never waited on nor
// deadlocked), settles them in the same transaction (the detail moves to pastDue, the account is
// restricted, `connected_account.requirements_updated` is recorded by the SYSTEM actor), and
// commits: another process skips the locked accounts, and afterwards finds nothing due. A process
// that dies mid-round rolls back; the next round, here or elsewhere, does it again.
import { pollingWorker, type BackgroundWorker } from '../../core/serial-rounds.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { Prisma, Transaction } from '../../db/database.ts';
import { settleRequirements } from './requirement-deadlines.ts';
import { requirementsOf } from './requirements.ts';

/** Accounts settled per transaction: a round goes on until none is left. */
const BATCH = 50;

export interface RequirementDeadlineCheckDependencies {
  prisma: Prisma;
  clock: Clock;
  log: Logger;
  /** How often each process looks (REQUIREMENTS_CHECK_POLL_MS): a passed deadline is seen within this. */
  pollMs: number;
  /** False until the database is migrated, and while shutting down: rounds are skipped. */
  active: () => boolean;
}

/** Claims up to BATCH accounts with a passed, unseen deadline, locked for the transaction. */
async function claimDue(tx: Transaction, now: Date): Promise<string[]> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT a."id" FROM "ConnectedAccount" a
    WHERE a."id" IN (
      SELECT r."connectedAccountId" FROM "AccountRequirement" r
      WHERE r."deadline" <= ${now} AND r."pastDueAt" IS NULL
      ORDER BY r."deadline" LIMIT ${BATCH})
    ORDER BY a."id"
    FOR UPDATE OF a SKIP LOCKED`;
  return rows.map(({ id }) => id);
}

export function startRequirementDeadlineChecks(deps: RequirementDeadlineCheckDependencies): BackgroundWorker {
  const { prisma, clock, log } = deps;

  /** One batch in one transaction; how many accounts it settled. */
  const settleBatch = () =>
    prisma.$transaction(async (tx) => {
      const now = clock.now();
      const ids = await claimDue(tx, now);
      if (ids.length === 0) return 0;
      const accounts = await tx.connectedAccount.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } });
      // Read under the locks: what another process settled meanwhile is already in `before`, and records nothing again.
      const before = await requirementsOf(tx, accounts);
      await settleRequirements(tx, accounts, before, { now, actor: { type: 'SYSTEM' } });
      return accounts.length;
    });

  async function round(stopping: () => boolean): Promise<number> {
    let settled = 0;
    while (!stopping()) {
      const count = await settleBatch();
      if (count === 0) break;
      settled += count;
      log.info({ accounts: count }, 'requirement deadlines settled');
    }
    return settled;
  }

  return pollingWorker({
    round,
    pollMs: deps.pollMs,
    active: deps.active,
    failed: (error) => log.error({ err: error }, 'requirement deadline round failed'),
  });
}
