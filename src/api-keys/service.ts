import type { ApiKey } from '../generated/prisma/client.ts';
import type { Actor } from '../auth/actor.ts';
import type { TenantDb } from '../db/tenant-scope.ts';
import { LimitReachedError, NotFoundError } from '../core/domain-errors.ts';
import { displayedName } from '../core/validation.ts';
import { newId } from '../core/ids.ts';
import { issueApiKeySecret } from '../auth/api-key-secrets.ts';
import type { TenantEnvironment } from '../generated/prisma/enums.ts';

export interface IssuedApiKey {
  apiKey: ApiKey;
  /** The plaintext, returned to the client exactly once and never stored. */
  secret: string;
}

export const API_KEY_NAME_MAX_LENGTH = 100;

export const validateApiKeyName = (name: string, field: string) => displayedName(name, API_KEY_NAME_MAX_LENGTH, field);

/** The row of a new key and its plaintext; the caller inserts the row with whichever client it holds. */
export function newApiKey(input: { name: string; tenantId: string; environment: TenantEnvironment }) {
  const { secret, prefix, secretHash } = issueApiKeySecret(input.environment);
  return { row: { id: newId('ApiKey'), tenantId: input.tenantId, name: input.name, prefix, secretHash }, secret };
}

/** Any client that can count keys: the confined one, the unconfined one, or a transaction of either. */
interface KeyCounter {
  apiKey: { count(args: { where: { tenantId: string; revokedAt: null } }): PromiseLike<number> };
}

/**
 * Refuses a key past API_KEYS_PER_TENANT active ones: each is a credential to watch and a rate limit
 * of its own (the organization's ceiling bounds their requests together; this bounds how many there
 * are). The caller holds a lock that serializes the tenant's key changes, so concurrent creations
 * count one after the other.
 */
export async function assertRoomForKey(tx: KeyCounter, tenantId: string, maxActiveKeys: number): Promise<void> {
  const active = await tx.apiKey.count({ where: { tenantId, revokedAt: null } });
  if (active >= maxActiveKeys) {
    throw new LimitReachedError(
      `A tenant holds at most ${maxActiveKeys} active API keys: revoke one it no longer uses first.`,
      maxActiveKeys,
    );
  }
}

/** A key for the tenant the actor acts in, within the tenant's cap of active keys. */
export async function createApiKey(db: TenantDb, actor: Actor, name: string, maxActiveKeys: number): Promise<IssuedApiKey> {
  const validName = validateApiKeyName(name, 'input.name');
  const { tenantId } = actor.actingScope;
  return db.$transaction(async (tx) => {
    // The tenant's row lock, held to the commit: the count below and the insert are one step.
    const tenant = await tx.tenant.update({ where: { id: tenantId }, data: { updatedAt: actor.now }, select: { environment: true } });
    await assertRoomForKey(tx, tenantId, maxActiveKeys);
    const { row, secret } = newApiKey({ name: validName, tenantId, environment: tenant.environment });
    return { apiKey: await tx.apiKey.create({ data: row }), secret };
  });
}

/** Revoking is idempotent: a key revoked before keeps its first revocation time. */
export async function revokeApiKey(db: TenantDb, actor: Actor, id: string): Promise<ApiKey> {
  const key = await db.apiKey.findUnique({ where: { id } });
  if (!key) throw new NotFoundError(`No API key ${id}.`);
  if (key.revokedAt) return key;
  return db.apiKey.update({ where: { id }, data: { revokedAt: actor.now } });
}
