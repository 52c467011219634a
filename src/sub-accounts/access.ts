// How the services reach one of the platform's sub-accounts: checked through the caller's confined
// client, then (for the flows that write in the sub-account's own tenant: its keys) read and locked
// in a transaction of the unconfined client, always with the platform's tenant in the condition
// (a sub-account belongs to the platform tenant that made it: confinement-rules.ts).
import type { Transaction } from '../db/database.ts';
import type { TenantDb, TenantScope } from '../db/tenant-scope.ts';
import { InvalidStateError, NotFoundError } from '../core/domain-errors.ts';
import type { SubAccount } from '../generated/prisma/client.ts';
import { withChoice, type SubAccountSnapshot } from './events.ts';

/** Where the platform's request reaches its sub-accounts: its organization, in the tenant it acts in. */
export const platformTenantOf = (scope: TenantScope) => ({
  platformOrganizationId: scope.organizationId,
  platformTenantId: scope.tenantId,
});

/** The platform tenant's sub-account of this name in any letter case, compared as the unique index compares. */
async function idByName(tx: Transaction, scope: TenantScope, accountName: string): Promise<string | undefined> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "SubAccount"
    WHERE "platformOrganizationId" = ${scope.organizationId} AND "platformTenantId" = ${scope.tenantId}
      AND lower("accountName") = lower(${accountName})`;
  return rows[0]?.id;
}

/**
 * The sub-account, its row locked for the rest of the transaction, so that what changes its keys or
 * its status happens one after the other (a key refresh never races a deactivation).
 */
export async function lockSubAccount(
  tx: Transaction,
  where: { id: string } | { accountName: string },
  scope: TenantScope,
  now: Date,
): Promise<SubAccountSnapshot | null> {
  const id = 'id' in where ? where.id : await idByName(tx, scope, where.accountName);
  if (id === undefined) return null;
  const scoped = { id, ...platformTenantOf(scope) };
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
