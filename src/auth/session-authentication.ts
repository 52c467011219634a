// An account session, from its presented client secret: cached per process like API keys
// (./caller-caches.ts); the database names a session on AUTH_CHANNEL when it is revoked or the key
// that minted it is (migration 20261207191123_account_sessions), so every process forgets it at once.
// Expiry is checked on every request, cached or not.
import type { Prisma } from '../db/database.ts';
import type { InvalidatedCache } from '../db/invalidated-cache.ts';
import type { TenantScope } from '../db/tenant-scope.ts';
import type { AccountSessionComponent } from '../generated/prisma/enums.ts';
import { hashPresentedSessionSecret } from './account-session-secrets.ts';

export interface AuthenticatedSession {
  id: string;
  /** The platform that minted it, and its production tenant (the minting key's). */
  keyScope: TenantScope;
  connectedAccountId: string;
  mintedByApiKeyId: string;
  components: AccountSessionComponent[];
  expiresAt: Date;
}

async function readSession(prisma: Prisma, secretHash: string): Promise<AuthenticatedSession | null> {
  const session = await prisma.accountSession.findUnique({
    where: { secretHash },
    select: {
      id: true,
      connectedAccountId: true,
      components: true,
      expiresAt: true,
      revokedAt: true,
      apiKey: { select: { id: true, revokedAt: true, tenantId: true, tenant: { select: { organizationId: true, environment: true } } } },
    },
  });
  if (!session || session.revokedAt || session.apiKey.revokedAt) return null;
  const { apiKey } = session;
  return {
    id: session.id,
    keyScope: { organizationId: apiKey.tenant.organizationId, tenantId: apiKey.tenantId, environment: apiKey.tenant.environment },
    connectedAccountId: session.connectedAccountId,
    mintedByApiKeyId: apiKey.id,
    components: session.components,
    expiresAt: session.expiresAt,
  };
}

/** The session, or null for a malformed, unknown, revoked or expired secret, or one whose key was revoked. */
export async function authenticateSession(
  prisma: Prisma,
  cache: InvalidatedCache<AuthenticatedSession>,
  presented: string,
  now: Date,
): Promise<AuthenticatedSession | null> {
  const secretHash = hashPresentedSessionSecret(presented);
  if (!secretHash) return null;
  let session = cache.get(secretHash);
  if (!session) {
    const snapshot = cache.snapshot();
    session = (await readSession(prisma, secretHash)) ?? undefined;
    if (!session) return null;
    cache.set(secretHash, session, snapshot);
  }
  return session.expiresAt.getTime() > now.getTime() ? session : null;
}
