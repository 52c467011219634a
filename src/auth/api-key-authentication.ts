import type { Prisma } from '../db/database.ts';
import type { InvalidatedCache } from '../db/invalidated-cache.ts';
import type { TenantScope } from '../db/tenant-scope.ts';
import { hashPresentedApiKey } from './api-key-secrets.ts';

/** `lastUsedAt` is kept to the minute: writing it on every request would double the load. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface AuthenticatedKey {
  apiKeyId: string;
  scope: TenantScope;
  /** Set when the key belongs to a sub-account's tenant. */
  subAccountId: string | null;
  /** Its sub-account is deactivated: the key is known, and refused (403) until the platform reactivates it. */
  subAccountDeactivated: boolean;
  /**
   * Who answers for the key's load: its sub-account's or EXPRESS account's platform, else its own
   * organization (as the SQL function accountable_organization says). A platform's sandboxes,
   * sub-accounts and accounts share its rate ceiling and its shares of the server's work.
   */
  accountableOrganizationId: string;
}

export interface CachedKey extends AuthenticatedKey {
  lastUsedAt: Date | null;
}

const isStale = (lastUsedAt: Date | null, now: Date) => !lastUsedAt || now.getTime() - lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS;

async function readKey(prisma: Prisma, secretHash: string): Promise<CachedKey | null> {
  const key = await prisma.apiKey.findUnique({
    where: { secretHash },
    select: {
      id: true,
      tenantId: true,
      revokedAt: true,
      lastUsedAt: true,
      tenant: {
        select: {
          organizationId: true,
          environment: true,
          subAccount: { select: { id: true, status: true, platformOrganizationId: true } },
          connectedAccounts: {
            where: { connectionType: 'EXPRESS' },
            select: { platformOrganizationId: true },
            orderBy: { createdAt: 'asc' },
            take: 1,
          },
        },
      },
    },
  });
  if (!key || key.revokedAt) return null;
  const { tenant } = key;
  return {
    apiKeyId: key.id,
    scope: { organizationId: tenant.organizationId, tenantId: key.tenantId, environment: tenant.environment },
    subAccountId: tenant.subAccount?.id ?? null,
    subAccountDeactivated: tenant.subAccount?.status === 'DEACTIVATED',
    accountableOrganizationId:
      tenant.subAccount?.platformOrganizationId ?? tenant.connectedAccounts[0]?.platformOrganizationId ?? tenant.organizationId,
    lastUsedAt: key.lastUsedAt,
  };
}

/** The key's identity and tenant, or null for a malformed, unknown or revoked key. */
export async function authenticateApiKey(
  prisma: Prisma,
  cache: InvalidatedCache<CachedKey>,
  presented: string,
  now: Date,
): Promise<AuthenticatedKey | null> {
  const secretHash = hashPresentedApiKey(presented);
  if (!secretHash) return null;
  let key = cache.get(secretHash);
  if (!key) {
    const snapshot = cache.snapshot();
    key = (await readKey(prisma, secretHash)) ?? undefined;
    if (!key) return null;
    cache.set(secretHash, key, snapshot);
  }
  if (isStale(key.lastUsedAt, now)) {
    key.lastUsedAt = now;
    await prisma.apiKey.update({ where: { id: key.apiKeyId }, data: { lastUsedAt: now } });
  }
  return key;
}
