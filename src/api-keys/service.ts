import type { ApiKey } from '../generated/prisma/client.ts';
import type { Actor } from '../auth/actor.ts';
import type { TenantDb } from '../db/tenant-scope.ts';
import { NotFoundError } from '../core/domain-errors.ts';
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

/** A key for the tenant the actor acts in. */
export async function createApiKey(db: TenantDb, actor: Actor, name: string): Promise<IssuedApiKey> {
  const validName = validateApiKeyName(name, 'input.name');
  const { tenantId } = actor.actingScope;
  const tenant = await db.tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { environment: true } });
  const { row, secret } = newApiKey({ name: validName, tenantId, environment: tenant.environment });
  return { apiKey: await db.apiKey.create({ data: row }), secret };
}

/** Revoking is idempotent: a key revoked before keeps its first revocation time. */
export async function revokeApiKey(db: TenantDb, actor: Actor, id: string): Promise<ApiKey> {
  const key = await db.apiKey.findUnique({ where: { id } });
  if (!key) throw new NotFoundError(`No API key ${id}.`);
  if (key.revokedAt) return key;
  return db.apiKey.update({ where: { id }, data: { revokedAt: actor.now } });
}
