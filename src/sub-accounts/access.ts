// How the services reach one of the platform's sub-accounts: checked through the caller's confined
// client, then (for the flows that write in the sub-account's own tenant: its keys) read and locked
// in a transaction of the unconfined client, always with the platform's id in the condition.
import type { Transaction } from '../db/database.ts';
import type { TenantDb } from '../db/tenant-scope.ts';
import { InvalidStateError, NotFoundError } from '../core/domain-errors.ts';
import type { SubAccount } from '../generated/prisma/client.ts';
import { withChoice, type SubAccountSnapshot } from './events.ts';

/** The platform's sub-account of this name in any letter case, compared as the unique index compares. */
async function idByName(tx: Transaction, platformOrganizationId: string, accountName: string): Promise<string | undefined> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "SubAccount"
    WHERE "platformOrganizationId" = ${platformOrganizationId} AND lower("accountName") = lower(${accountName})`;
  return rows[0]?.id;
}

/**
 * The sub-account, its row locked for the rest of the transaction, so that what changes its keys or
 * its status happens one after the other (a key refresh never races a deactivation).
 */
export async function lockSubAccount(
  tx: Transaction,
  where: { id: string } | { accountName: string },
  platformOrganizationId: string,
  now: Date,
): Promise<SubAccountSnapshot | null> {
  const id = 'id' in where ? where.id : await idByName(tx, platformOrganizationId, where.accountName);
  if (id === undefined) return null;
  const scoped = { id, platformOrganizationId };
  await tx.subAccount.updateMany({ where: scoped, data: { updatedAt: now } });
  return tx.subAccount.findFirst({ where: scoped, include: withChoice });
}

/** Only the platform reaches a sub-account's keys and status: the sub-account is found through its confined client first. */
export async function platformSubAccount(db: TenantDb, platformOrganizationId: string, id: string): Promise<SubAccount> {
  const subAccount = await db.subAccount.findFirst({ where: { id, platformOrganizationId } });
  if (!subAccount) throw new NotFoundError(`No sub-account ${id}.`);
  return subAccount;
}

/** Keys are issued only to an ACTIVE sub-account: a deactivated one's could not be used. */
export function assertActive(subAccount: Pick<SubAccount, 'id' | 'status'>): void {
  if (subAccount.status !== 'ACTIVE') {
    throw new InvalidStateError(`Sub-account ${subAccount.id} is deactivated: reactivate it (reactivateSubAccount) first.`);
  }
}
