// Deadlines for what already-onboarded accounts owe: a detail the platform starts requiring is due
// by a deadline for them (an AccountRequirement row each), moves to pastDue once the deadline passes
// with the detail still missing (the background check, requirement-deadline-checks.ts), and stops
// being owed the moment it is given. Every change goes through settleRequirements, which keeps the
// rows, the account's requirementsDisabledReason (what the acting check reads) and the
// `connected_account.requirements_updated` events in step, in the caller's transaction, in a number of
// statements that does not grow with the accounts' (a platform may change a thousand at once).
import type { Transaction } from '../../db/database.ts';
import { connectedAccountObject, eventData } from '../../events/public-objects.ts';
import { placeOfAccount, recordEvents, type EventActor } from '../../events/record.ts';
import type { ConnectedAccount } from '../../generated/prisma/client.ts';
import type { BusinessDetail } from '../../generated/prisma/enums.ts';
import { deadlinesOf, missingDetailsOf, requirementsFrom, type AccountRequirements, type DeadlineRow } from './requirements.ts';

export interface RequirementsChange {
  now: Date;
  /** Who caused it: the platform's key, the user who submitted the details, or the server (a deadline passing). */
  actor: EventActor;
}

/**
 * Locks the accounts (the first lock of every Connect write), in id order so that two writers
 * locking several never wait on each other in a circle, and returns them as they are now.
 */
export async function lockAccounts(tx: Transaction, ids: readonly string[]): Promise<ConnectedAccount[]> {
  if (ids.length === 0) return [];
  await tx.$queryRaw`SELECT 1 FROM "ConnectedAccount" WHERE "id" = ANY(${[...ids]}::text[]) ORDER BY "id" FOR UPDATE`;
  return tx.connectedAccount.findMany({ where: { id: { in: [...ids] } }, orderBy: { id: 'asc' } });
}

/**
 * Gives the accounts that lack `details` (already onboarded: they are not asked for them again
 * otherwise) a deadline for each. An account owing one already keeps its earlier deadline. Call it
 * after the platform's new requirements are written, then settleRequirements.
 */
export async function setDeadlines(
  tx: Transaction,
  accounts: readonly ConnectedAccount[],
  details: readonly BusinessDetail[],
  deadline: Date,
) {
  const onboarded = accounts.filter((account) => account.status === 'ACTIVE' || account.status === 'SUSPENDED');
  if (details.length === 0 || onboarded.length === 0) return;
  const missing = await missingDetailsOf(tx, onboarded);
  const data = onboarded.flatMap((account, index) =>
    (missing[index] ?? [])
      .filter((detail) => details.includes(detail))
      .map((detail) => ({ connectedAccountId: account.id, platformOrganizationId: account.platformOrganizationId, detail, deadline })),
  );
  if (data.length > 0) await tx.accountRequirement.createMany({ data, skipDuplicates: true });
}

const sameRequirements = (a: AccountRequirements, b: AccountRequirements) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Brings the accounts' deadlines in step with what they lack now, and records what changed. Given
 * the accounts, locked, and their requirements before the change (requirementsOf, read under the
 * same locks):
 * - a deadline row goes once its detail is given or no longer required (submitting clears at once);
 * - a row whose deadline has passed becomes past due (whichever writer comes first sees it);
 * - requirementsDisabledReason follows pastDue;
 * - `connected_account.requirements_updated` is recorded for each account whose requirements differ
 *   from `before`, so a second look at the same change (another process's check) records nothing.
 */
export async function settleRequirements(
  tx: Transaction,
  accounts: readonly ConnectedAccount[],
  before: readonly AccountRequirements[],
  { now, actor }: RequirementsChange,
): Promise<AccountRequirements[]> {
  if (accounts.length === 0) return [];
  const missing = await missingDetailsOf(tx, accounts);
  const rows = await deadlinesOf(
    tx,
    accounts.map(({ id }) => id),
  );
  const owed = (index: number, row: DeadlineRow) => (missing[index] ?? []).includes(row.detail);
  const stale = accounts.flatMap((account, index) => (rows.get(account.id) ?? []).filter((row) => !owed(index, row)));
  if (stale.length > 0) {
    await tx.accountRequirement.deleteMany({
      where: { OR: stale.map(({ connectedAccountId, detail }) => ({ connectedAccountId, detail })) },
    });
  }
  const passing = accounts.flatMap((account, index) =>
    (rows.get(account.id) ?? []).filter((row) => owed(index, row) && row.pastDueAt === null && row.deadline <= now),
  );
  if (passing.length > 0) {
    await tx.accountRequirement.updateMany({
      where: { OR: passing.map(({ connectedAccountId, detail }) => ({ connectedAccountId, detail })), pastDueAt: null },
      data: { pastDueAt: now },
    });
  }

  const after = accounts.map((account, index) =>
    requirementsFrom(
      missing[index] ?? [],
      (rows.get(account.id) ?? [])
        .filter((row) => owed(index, row))
        .map((row) => (passing.includes(row) ? { ...row, pastDueAt: now } : row)),
    ),
  );
  // requirementsDisabledReason, which the acting check reads: one statement per reason (there are few).
  const updatedAt = new Date();
  const reasons = new Map(
    accounts.flatMap((account, index) => {
      const reason = after[index]?.disabledReason;
      return reason !== undefined && reason !== account.requirementsDisabledReason ? [[account.id, reason] as const] : [];
    }),
  );
  for (const reason of new Set(reasons.values())) {
    await tx.connectedAccount.updateMany({
      where: { id: { in: [...reasons].filter(([, value]) => value === reason).map(([id]) => id) } },
      data: { requirementsDisabledReason: reason, updatedAt },
    });
  }
  const changes = accounts.flatMap((account, index) => {
    const requirements = after[index];
    const previous = before[index];
    if (!requirements || !previous || sameRequirements(previous, requirements)) return [];
    const reason = reasons.get(account.id);
    const object = connectedAccountObject(reason === undefined ? account : { ...account, requirementsDisabledReason: reason, updatedAt });
    return [
      {
        objectId: account.id,
        data: eventData({ ...object, requirements }, { ...object, requirements: previous }),
        place: placeOfAccount(account),
        actor,
      },
    ];
  });
  await recordEvents(tx, 'connected_account.requirements_updated', changes);
  return after;
}
