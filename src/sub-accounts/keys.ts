// A sub-account's API keys, which only its platform manages. Two kinds, told apart by
// SubAccount.provisionedApiKeyId: the provisioned key, which createSubAccount issues and the same
// name again replaces (that key only), and named keys (createSubAccountApiKey), which stay until
// revoked. rotateSubAccountApiKey is the emergency reset: it revokes every key, named ones included,
// as it did before named keys existed (a caller who rotates after a leak must not find a key alive),
// and issues a new provisioned key.
import type { Prisma, Transaction } from '../db/database.ts';
import type { TenantDb } from '../db/tenant-scope.ts';
import type { Actor } from '../auth/actor.ts';
import { NotFoundError, ValidationError } from '../core/domain-errors.ts';
import type { ApiKey, SubAccount } from '../generated/prisma/client.ts';
import { assertRoomForKey, newApiKey, validateApiKeyName, type IssuedApiKey } from '../api-keys/service.ts';
import { recordKeyEvent, withChoice, type SubAccountSnapshot } from './events.ts';
import { assertActive, lockSubAccount, platformSubAccount, platformTenantOf } from './access.ts';

const PROVISIONED_KEY_NAME = 'Sub-account key';

type KeyHolder = Pick<SubAccount, 'id' | 'tenantId' | 'platformOrganizationId' | 'platformTenantId'>;

/**
 * A new key in the sub-account's tenant, with its event: of that tenant's environment, which is its
 * platform tenant's (a sandbox platform's sub-accounts get `mk_test_` keys, never live ones).
 */
async function issueKey(tx: Transaction, subAccount: KeyHolder, actor: Actor, name: string): Promise<IssuedApiKey> {
  const { environment } = await tx.tenant.findUniqueOrThrow({ where: { id: subAccount.tenantId }, select: { environment: true } });
  const { row, secret } = newApiKey({ name, tenantId: subAccount.tenantId, environment });
  const apiKey = await tx.apiKey.create({ data: row });
  await recordKeyEvent(tx, 'sub_account.api_key.created', actor, subAccount, apiKey);
  return { apiKey, secret };
}

/** Revokes the sub-account's unrevoked keys among `ids` (all of them without `ids`), with their events. */
async function revokeKeys(tx: Transaction, subAccount: KeyHolder, actor: Actor, ids?: string[]): Promise<ApiKey[]> {
  const revoked = await tx.apiKey.updateManyAndReturn({
    where: { tenantId: subAccount.tenantId, revokedAt: null, ...(ids ? { id: { in: ids } } : {}) },
    data: { revokedAt: actor.now },
  });
  for (const key of revoked) await recordKeyEvent(tx, 'sub_account.api_key.revoked', actor, subAccount, key);
  return revoked;
}

/** A new provisioned key, which becomes the one the next refresh replaces. */
async function provisionKey(tx: Transaction, subAccount: KeyHolder, actor: Actor) {
  const issued = await issueKey(tx, subAccount, actor, PROVISIONED_KEY_NAME);
  const updated = await tx.subAccount.update({
    where: { id: subAccount.id },
    data: { provisionedApiKeyId: issued.apiKey.id },
    include: withChoice,
  });
  return { subAccount: updated, apiKey: issued };
}

/**
 * createSubAccount's key, in its transaction: the provisioned key made before (if any, and not yet
 * revoked) stops working and a new one takes its place; named keys are left alone.
 */
export async function refreshProvisionedKey(tx: Transaction, subAccount: SubAccountSnapshot, actor: Actor) {
  if (subAccount.provisionedApiKeyId !== null) await revokeKeys(tx, subAccount, actor, [subAccount.provisionedApiKeyId]);
  return provisionKey(tx, subAccount, actor);
}

/** Locks the platform tenant's ACTIVE sub-account for a key change, in the given transaction. */
async function lockActive(tx: Transaction, actor: Actor, id: string): Promise<SubAccountSnapshot> {
  const subAccount = await lockSubAccount(tx, { id }, actor.actingScope, actor.now);
  if (!subAccount) throw new NotFoundError(`No sub-account ${id}.`);
  assertActive(subAccount);
  return subAccount;
}

/** Every key of the sub-account is revoked, named ones included, and a new provisioned key issued. */
export async function rotateSubAccountKey(
  prisma: Prisma,
  db: TenantDb,
  actor: Actor,
  id: string,
): Promise<{ subAccount: SubAccount; apiKey: IssuedApiKey }> {
  await platformSubAccount(db, actor.actingScope.organizationId, id);
  return prisma.$transaction(async (tx) => {
    const subAccount = await lockActive(tx, actor, id);
    await revokeKeys(tx, subAccount, actor);
    return provisionKey(tx, subAccount, actor);
  });
}

/**
 * A named key: createSubAccount's refresh never replaces it; it works until revoked (or rotated away).
 * Refused past the tenant's cap of active keys (the provisioned key counts; it is itself never
 * refused, as it replaces one).
 */
export async function createSubAccountKey(
  prisma: Prisma,
  db: TenantDb,
  actor: Actor,
  input: { subAccountId: string; name: string },
  maxActiveKeys: number,
): Promise<IssuedApiKey> {
  const name = validateApiKeyName(input.name, 'input.name');
  await platformSubAccount(db, actor.actingScope.organizationId, input.subAccountId);
  return prisma.$transaction(async (tx) => {
    // The sub-account's row lock serializes its key changes (its tenant's keys are made nowhere else).
    const subAccount = await lockActive(tx, actor, input.subAccountId);
    await assertRoomForKey(tx, subAccount.tenantId, maxActiveKeys);
    return issueKey(tx, subAccount, actor, name);
  });
}

export interface RevokeSubAccountKeyInput {
  id?: string | null | undefined;
  /** Deprecated: the key's sub-account; when given, the key must be one of its keys. */
  subAccountId?: string | null | undefined;
  /** Deprecated spelling of `id`. */
  apiKeyId?: string | null | undefined;
}

function keyIdOf(input: RevokeSubAccountKeyInput): string {
  const { id, apiKeyId } = input;
  if (id != null && apiKeyId != null && id !== apiKeyId) {
    throw new ValidationError('input.id and input.apiKeyId name different keys: give input.id only.', ['input.id', 'input.apiKeyId']);
  }
  const keyId = id ?? apiKeyId;
  if (keyId == null) throw new ValidationError('Name the key to revoke in input.id.', ['input.id']);
  return keyId;
}

/**
 * Revokes one key of one of the platform's sub-accounts (any kind, even of a deactivated one:
 * taking access away is always allowed). Revoking a revoked key returns it as it is.
 */
export async function revokeSubAccountKey(prisma: Prisma, db: TenantDb, actor: Actor, input: RevokeSubAccountKeyInput): Promise<ApiKey> {
  const keyId = keyIdOf(input);
  const notFound = () => new NotFoundError(`No API key ${keyId} on any of your sub-accounts.`);
  const platformTenant = platformTenantOf(actor.actingScope);
  const key = await prisma.apiKey.findFirst({ where: { id: keyId, tenant: { subAccount: { is: platformTenant } } } });
  if (!key) throw notFound();
  // And its sub-account, through the confined client, as every other read of the caller's.
  const subAccount = await db.subAccount.findFirst({ where: { tenantId: key.tenantId, ...platformTenant } });
  if (!subAccount || (input.subAccountId != null && input.subAccountId !== subAccount.id)) throw notFound();
  if (key.revokedAt) return key;
  return prisma.$transaction(async (tx) => {
    const [revoked] = await revokeKeys(tx, subAccount, actor, [key.id]);
    // Revoked meanwhile by another request: it is revoked either way.
    return revoked ?? tx.apiKey.findUniqueOrThrow({ where: { id: key.id } });
  });
}

/**
 * The keys of sub-accounts the caller already holds, in one query for all of them, each one's in
 * creation order (metadata only: secrets are never stored).
 */
export async function keysOfSubAccounts(prisma: Prisma, subAccounts: readonly Pick<SubAccount, 'tenantId'>[]): Promise<ApiKey[][]> {
  const tenantIds = [...new Set(subAccounts.map((subAccount) => subAccount.tenantId))];
  const keys = await prisma.apiKey.findMany({ where: { tenantId: { in: tenantIds } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  const byTenant = new Map<string, ApiKey[]>(tenantIds.map((tenantId) => [tenantId, []]));
  for (const key of keys) byTenant.get(key.tenantId)?.push(key);
  return subAccounts.map((subAccount) => byTenant.get(subAccount.tenantId) ?? []);
}
