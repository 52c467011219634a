// Sub-accounts: child accounts of a platform tenant, each with its own organization, tenant (of the
// platform tenant's environment) and API keys. Creation by name is idempotent; the unique index on
// (platform tenant, lower(accountName)) decides who made it first, so concurrent calls with one
// name, in any letter case, make one sub-account, never two; sandbox and production names are apart.
// Only the platform renames one (its name is the platform's key to it) or changes its purposes and
// packages. A deactivated sub-account's name answers INVALID_STATE: no second account, no fresh key.
// Keys: keys.ts; status: lifecycle.ts.
import type { Prisma } from '../db/database.ts';
import { isUniqueViolation } from '../db/prisma-errors.ts';
import type { TenantDb } from '../db/tenant-scope.ts';
import type { Actor } from '../auth/actor.ts';
import { ConflictError, InvalidStateError, NotFoundError, ValidationError } from '../core/domain-errors.ts';
import type { SubAccount } from '../generated/prisma/client.ts';
import type { IssuedApiKey } from '../api-keys/service.ts';
import { newId } from '../core/ids.ts';
import { provisionOrganization } from '../organizations/service.ts';
import { resolvePurposes, type HeldChoice, type PurposeChoice } from './catalog-service.ts';
import { recordSubAccountEvent, withChoice, type SubAccountSnapshot } from './events.ts';
import { lockSubAccount, platformTenantOf } from './access.ts';
import { refreshProvisionedKey } from './keys.ts';
import { profileColumns, type ProfileInput } from './profile.ts';

export interface NewSubAccountInput extends ProfileInput, PurposeChoice {
  accountName: string;
  /** false: make no key (default true). */
  createApiKey?: boolean | null | undefined;
}

export interface SubAccountResult {
  subAccount: SubAccount;
  created: boolean;
  apiKey: IssuedApiKey | null;
}

/** Columns the profile validation guarantees on create. */
type SubAccountColumns = Omit<
  SubAccount,
  | 'id'
  | 'platformOrganizationId'
  | 'platformTenantId'
  | 'organizationId'
  | 'tenantId'
  | 'status'
  | 'statusReason'
  | 'deactivatedAt'
  | 'provisionedApiKeyId'
  | 'createdAt'
  | 'updatedAt'
>;

/** The link rows of a sub-account's purposes and packages, as a nested write. */
const linkRows = ({ purposeIds, packageIds }: { purposeIds: string[]; packageIds: string[] }) => ({
  purposes: { create: purposeIds.map((permissiblePurposeId) => ({ permissiblePurposeId })) },
  packages: { create: packageIds.map((accountPackageId) => ({ accountPackageId })) },
});

export async function createSubAccount(prisma: Prisma, db: TenantDb, actor: Actor, input: NewSubAccountInput): Promise<SubAccountResult> {
  const columns = profileColumns(input, 'create') as SubAccountColumns;
  const { purposeIds, packageIds } = await resolvePurposes(db, input);
  const withKey = input.createApiKey !== false;
  try {
    return await prisma.$transaction(async (tx) => {
      // The sub-account's tenant is of its platform tenant's environment: a sandbox makes sandbox accounts.
      const platformTenant = await tx.tenant.findUniqueOrThrow({
        where: { id: actor.actingScope.tenantId },
        select: { environment: true },
      });
      const { organization, tenant } = await provisionOrganization(tx, {
        environment: platformTenant.environment,
        organizationName: columns.legalBusinessName ?? columns.accountName,
        country: columns.addressCountry,
        legalName: columns.legalBusinessName,
        addressLine1: columns.addressLine1,
        addressLine2: columns.addressLine2,
        city: columns.addressCity,
        postalCode: columns.addressPostalCode,
      });
      const subAccount = await tx.subAccount.create({
        data: {
          ...columns,
          id: newId('SubAccount'),
          ...platformTenantOf(actor.actingScope),
          organizationId: organization.id,
          tenantId: tenant.id,
          ...linkRows({ purposeIds, packageIds }),
        },
        include: withChoice,
      });
      await recordSubAccountEvent(tx, 'sub_account.created', actor, subAccount);
      if (!withKey) return { subAccount, created: true, apiKey: null };
      return { ...(await refreshProvisionedKey(tx, subAccount, actor)), created: true };
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  // The name is taken (maybe by a concurrent call that just committed): the existing one, its
  // provisioned key refreshed; a deactivated one stays as it is, without a key.
  return prisma.$transaction(async (tx) => {
    const subAccount = await lockSubAccount(tx, { accountName: columns.accountName }, actor.actingScope, actor.now);
    if (!subAccount) throw new ConflictError(`The account name "${columns.accountName}" is taken.`);
    if (subAccount.status === 'DEACTIVATED') {
      throw new InvalidStateError(
        `The sub-account named "${subAccount.accountName}" (${subAccount.id}) is deactivated: reactivate it (reactivateSubAccount) first.`,
      );
    }
    if (!withKey) return { subAccount, created: false, apiKey: null };
    return { ...(await refreshProvisionedKey(tx, subAccount, actor)), created: false };
  });
}

export interface SubAccountUpdate extends ProfileInput, PurposeChoice {}

const idSet = (ids: Iterable<string>) => new Set(ids);
const sameIds = (given: readonly string[] | null | undefined, held: ReadonlySet<string>) => {
  const ids = idSet(given ?? []);
  return ids.size === held.size && [...ids].every((id) => held.has(id));
};

/**
 * What a sub-account's own key may not change: its name and its purposes and packages, which are
 * its platform's decisions. It may send them as they are (a form sends every field); any other
 * value gets the same refusal whatever exists, so the key learns nothing of its platform's names.
 */
function refuseOwnKeyChanges(existing: SubAccountSnapshot, accountName: unknown, choice: PurposeChoice, held: HeldChoice) {
  if (accountName !== undefined && accountName !== existing.accountName) {
    throw new ValidationError('Only the platform renames a sub-account: leave input.accountName out.', ['input.accountName']);
  }
  if (!choiceGiven(choice)) return;
  if (!sameIds(choice.permissiblePurposeIds, held.purposeIds) || !sameIds(choice.accountPackageIds, held.packageIds)) {
    throw new ValidationError('Only the platform changes the permissible purposes and packages of a sub-account: leave them out.', [
      'input.permissiblePurposeIds',
      'input.accountPackageIds',
    ]);
  }
}

const choiceGiven = (choice: PurposeChoice) => choice.permissiblePurposeIds != null || choice.accountPackageIds != null;

/**
 * By the platform, or by the sub-account's own key on itself. Purposes and packages are one choice,
 * as on create: when either is given, both sets are replaced by what create would make of the
 * choice (a field left out counts as empty); with neither, they stay.
 */
export async function updateSubAccount(
  db: TenantDb,
  actor: Pick<Actor, 'subAccountId' | 'apiKeyId' | 'actingAs' | 'now'>,
  id: string,
  input: SubAccountUpdate,
): Promise<SubAccount> {
  const { permissiblePurposeIds, accountPackageIds, ...profile } = input;
  const choice = { permissiblePurposeIds, accountPackageIds };
  const columns = profileColumns(profile, 'update');
  const ownKey = actor.subAccountId !== null;
  try {
    return await db.$transaction(async (tx) => {
      // The row is locked before it is read: the checks and the event's `previous` see what this update changes.
      const { count } = await tx.subAccount.updateMany({ where: { id }, data: { updatedAt: actor.now } });
      const existing = count > 0 ? await tx.subAccount.findUnique({ where: { id }, include: withChoice }) : null;
      if (!existing) throw new NotFoundError(`No sub-account ${id}.`);
      const held: HeldChoice = {
        purposeIds: idSet(existing.purposes.map((link) => link.permissiblePurposeId)),
        packageIds: idSet(existing.packages.map((link) => link.accountPackageId)),
      };
      if (ownKey) refuseOwnKeyChanges(existing, columns.accountName, choice, held);
      const links = !ownKey && choiceGiven(choice) ? await resolvePurposes(tx, choice, held) : null;
      const rows = links && linkRows(links);
      const linkWrites = rows && { purposes: { deleteMany: {}, ...rows.purposes }, packages: { deleteMany: {}, ...rows.packages } };
      const subAccount = await tx.subAccount.update({ where: { id }, data: { ...columns, ...linkWrites }, include: withChoice });
      await recordSubAccountEvent(tx, 'sub_account.updated', actor, subAccount, existing);
      return subAccount;
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ConflictError(`The account name "${String(columns.accountName)}" is taken (in some letter case).`);
    throw error;
  }
}
