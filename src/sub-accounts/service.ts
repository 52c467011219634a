// Sub-accounts: child accounts of a platform, each with its own organization, production tenant
// and API keys. Creation by name is idempotent; the unique index on (platform, lower(accountName))
// decides who made it first, so concurrent calls with one name, in any letter case, make one
// sub-account, never two. Only the platform renames one: its name is the platform's key to it.
import { byKey, placeOfOrganizationObject, type EventWriter } from '../events/record.ts';
import { apiKeyObject, recordChange, subAccountObject } from '../events/public-objects.ts';
import type { EventType } from '../events/event-types.ts';
import { newApiKey, type IssuedApiKey } from '../api-keys/service.ts';
import type { Prisma, Transaction } from '../db/database.ts';
import { isUniqueViolation } from '../db/prisma-errors.ts';
import type { TenantDb } from '../db/tenant-scope.ts';
import type { Actor } from '../auth/actor.ts';
import { ConflictError, NotFoundError, ValidationError } from '../core/domain-errors.ts';
import type { ApiKey, SubAccount } from '../generated/prisma/client.ts';
import { newId } from '../core/ids.ts';
import { provisionOrganization } from '../organizations/service.ts';
import { resolvePurposes, type PurposeChoice } from './catalog-service.ts';
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
type SubAccountColumns = Omit<SubAccount, 'id' | 'platformOrganizationId' | 'organizationId' | 'tenantId' | 'createdAt' | 'updatedAt'>;

const SUB_ACCOUNT_KEY_NAME = 'Sub-account key';

/** Records a change to the sub-account, which belongs with its platform. */
function recordSubAccountEvent(tx: EventWriter, type: EventType, actor: Actor | Pick<Actor, 'apiKeyId' | 'actingAs'>, after: SubAccount, before?: SubAccount) {
  return recordChange(tx, { type, show: subAccountObject, after, before, place: placeOfOrganizationObject(after.platformOrganizationId, actor), actor: byKey(actor) });
}

function recordKeyEvent(tx: EventWriter, type: EventType, actor: Pick<Actor, 'apiKeyId' | 'actingAs'>, subAccount: SubAccount, key: ApiKey) {
  const show = (row: ApiKey) => apiKeyObject(row, subAccount.id);
  return recordChange(tx, { type, show, after: key, place: placeOfOrganizationObject(subAccount.platformOrganizationId, actor), actor: byKey(actor) });
}

/** Revokes the sub-account's active keys and issues a new one, in the caller's transaction, with their events. */
async function replaceKeys(tx: Transaction, subAccount: SubAccount, actor: Actor): Promise<IssuedApiKey> {
  const revoked = await tx.apiKey.updateManyAndReturn({ where: { tenantId: subAccount.tenantId, revokedAt: null }, data: { revokedAt: actor.now } });
  for (const key of revoked) await recordKeyEvent(tx, 'sub_account.api_key.revoked', actor, subAccount, key);
  const { row, secret } = newApiKey({ name: SUB_ACCOUNT_KEY_NAME, tenantId: subAccount.tenantId, environment: 'PRODUCTION' });
  const apiKey = await tx.apiKey.create({ data: row });
  await recordKeyEvent(tx, 'sub_account.api_key.created', actor, subAccount, apiKey);
  return { apiKey, secret };
}

/** The platform's sub-account of this name in any letter case, compared as the unique index compares. */
async function idByName(tx: Transaction, platformOrganizationId: string, accountName: string): Promise<string | undefined> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "SubAccount"
    WHERE "platformOrganizationId" = ${platformOrganizationId} AND lower("accountName") = lower(${accountName})`;
  return rows[0]?.id;
}

/**
 * The sub-account, its row locked for the rest of the transaction so that concurrent key refreshes
 * of one sub-account happen one after the other (each leaves exactly one active key).
 */
async function lockSubAccount(tx: Transaction, where: { id: string } | { accountName: string }, platformOrganizationId: string, now: Date) {
  const id = 'id' in where ? where.id : await idByName(tx, platformOrganizationId, where.accountName);
  if (id === undefined) return null;
  const scoped = { id, platformOrganizationId };
  await tx.subAccount.updateMany({ where: scoped, data: { updatedAt: now } });
  return tx.subAccount.findFirst({ where: scoped });
}

export async function createSubAccount(
  prisma: Prisma,
  db: TenantDb,
  actor: Actor,
  input: NewSubAccountInput,
): Promise<SubAccountResult> {
  const columns = profileColumns(input, 'create') as SubAccountColumns;
  const { purposeIds, packageIds } = await resolvePurposes(db, input);
  const withKey = input.createApiKey !== false;
  try {
    return await prisma.$transaction(async (tx) => {
      const { organization, tenant } = await provisionOrganization(tx, {
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
          platformOrganizationId: actor.actingScope.organizationId,
          organizationId: organization.id,
          tenantId: tenant.id,
          purposes: { create: purposeIds.map((permissiblePurposeId) => ({ permissiblePurposeId })) },
          packages: { create: packageIds.map((accountPackageId) => ({ accountPackageId })) },
        },
      });
      await recordSubAccountEvent(tx, 'sub_account.created', actor, subAccount);
      const apiKey = withKey ? await replaceKeys(tx, subAccount, actor) : null;
      return { subAccount, created: true, apiKey };
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  // The name is taken (maybe by a concurrent call that just committed): the existing one, refreshed.
  return prisma.$transaction(async (tx) => {
    const subAccount = await lockSubAccount(tx, { accountName: columns.accountName }, actor.actingScope.organizationId, actor.now);
    if (!subAccount) throw new ConflictError(`The account name "${columns.accountName}" is taken.`);
    const apiKey = withKey ? await replaceKeys(tx, subAccount, actor) : null;
    return { subAccount, created: false, apiKey };
  });
}

/**
 * By the platform, or by the sub-account's own key on itself. Its own key may send its name as it is
 * (a form sends every field) but not another: the refusal is the same whatever names exist, so the
 * key learns nothing of its siblings.
 */
export async function updateSubAccount(
  db: TenantDb,
  actor: Pick<Actor, 'subAccountId' | 'apiKeyId' | 'actingAs'>,
  id: string,
  input: ProfileInput,
): Promise<SubAccount> {
  const columns = profileColumns(input, 'update');
  const existing = await db.subAccount.findUnique({ where: { id } });
  if (!existing) throw new NotFoundError(`No sub-account ${id}.`);
  if (actor.subAccountId !== null && columns.accountName !== undefined && columns.accountName !== existing.accountName) {
    throw new ValidationError('Only the platform renames a sub-account: leave input.accountName out.', ['input.accountName']);
  }
  try {
    return await db.$transaction(async (tx) => {
      const subAccount = await tx.subAccount.update({ where: { id }, data: columns });
      await recordSubAccountEvent(tx, 'sub_account.updated', actor, subAccount, existing);
      return subAccount;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`The account name "${String(columns.accountName)}" is taken (in some letter case).`);
    throw error;
  }
}

/** Only the platform reaches a sub-account's keys: the sub-account is found through its scoped client first. */
async function platformSubAccount(db: TenantDb, platformOrganizationId: string, id: string): Promise<SubAccount> {
  const subAccount = await db.subAccount.findFirst({ where: { id, platformOrganizationId } });
  if (!subAccount) throw new NotFoundError(`No sub-account ${id}.`);
  return subAccount;
}

/** A new key for the sub-account; every earlier key stops working at once. */
export async function rotateSubAccountKey(
  prisma: Prisma,
  db: TenantDb,
  actor: Actor,
  id: string,
): Promise<{ subAccount: SubAccount; apiKey: IssuedApiKey }> {
  await platformSubAccount(db, actor.actingScope.organizationId, id);
  return prisma.$transaction(async (tx) => {
    const subAccount = await lockSubAccount(tx, { id }, actor.actingScope.organizationId, actor.now);
    if (!subAccount) throw new NotFoundError(`No sub-account ${id}.`);
    return { subAccount, apiKey: await replaceKeys(tx, subAccount, actor) };
  });
}

export async function revokeSubAccountKey(
  prisma: Prisma,
  db: TenantDb,
  actor: Actor,
  input: { subAccountId: string; apiKeyId: string },
): Promise<ApiKey> {
  const subAccount = await platformSubAccount(db, actor.actingScope.organizationId, input.subAccountId);
  const key = await prisma.apiKey.findFirst({ where: { id: input.apiKeyId, tenantId: subAccount.tenantId } });
  if (!key) throw new NotFoundError(`No API key ${input.apiKeyId} on sub-account ${input.subAccountId}.`);
  if (key.revokedAt) return key;
  return prisma.$transaction(async (tx) => {
    const revoked = await tx.apiKey.update({ where: { id: key.id }, data: { revokedAt: actor.now } });
    await recordKeyEvent(tx, 'sub_account.api_key.revoked', actor, subAccount, revoked);
    return revoked;
  });
}

/** The keys of a sub-account the caller already holds (metadata only: secrets are never stored). */
export function subAccountKeys(prisma: Prisma, subAccount: Pick<SubAccount, 'tenantId'>) {
  return prisma.apiKey.findMany({ where: { tenantId: subAccount.tenantId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
}
