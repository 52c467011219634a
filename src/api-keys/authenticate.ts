import type { Prisma } from '../db/database.ts';
import type { TenantScope } from '../db/tenant-scope.ts';
import { hashPresentedApiKey } from './secrets.ts';

/** `lastUsedAt` is kept to the minute: writing it on every request would double the load. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface AuthenticatedKey {
  apiKeyId: string;
  scope: TenantScope;
  /** Set when the key belongs to a sub-account's tenant. */
  subAccountId: string | null;
}

/** The key's identity and tenant, or null for a malformed, unknown or revoked key. */
export async function authenticateApiKey(prisma: Prisma, presented: string, now: Date): Promise<AuthenticatedKey | null> {
  const secretHash = hashPresentedApiKey(presented);
  if (!secretHash) return null;
  const key = await prisma.apiKey.findUnique({
    where: { secretHash },
    select: { id: true, tenantId: true, revokedAt: true, lastUsedAt: true, tenant: { select: { organizationId: true, subAccount: { select: { id: true } } } } },
  });
  if (!key || key.revokedAt) return null;
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    await prisma.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: now } });
  }
  return {
    apiKeyId: key.id,
    scope: { organizationId: key.tenant.organizationId, tenantId: key.tenantId },
    subAccountId: key.tenant.subAccount?.id ?? null,
  };
}
