// Acting on behalf of a connected account: the platform's own key plus the account's id in
// `x-meteroid-connect-account` make the request run in the connected organization and tenant.
// Checked on every request, so a suspended or revoked account is refused at once.
// An EXPRESS account has one tenant and grants everything; a STANDARD account grants the tenants
// and scopes its organization consented to, and the platform names the tenant in `x-meteroid-tenant`.
import type { Prisma } from '../db/database.ts';
import type { InvalidatedCache } from '../db/invalidated-cache.ts';
import type { TenantScope } from '../db/tenant-scope.ts';
import type { ConnectedAccount } from '../generated/prisma/client.ts';
import { connectedAccountNotActive, connectedAccountNotFound, forbidden } from './request-errors.ts';
import { isGrantScope, type GrantScope } from './grant-scopes.ts';

export const CONNECT_ACCOUNT_HEADER = 'x-meteroid-connect-account';
export const TENANT_HEADER = 'x-meteroid-tenant';

export interface ActingOnBehalf {
  account: ConnectedAccount;
  scope: TenantScope;
  /** What a STANDARD account's organization granted; null for an EXPRESS account (everything). */
  grantedScopes: GrantScope[] | null;
}

/** The account by id, from the process's cache (which the database invalidates on every change) or the database. */
export async function findAccount(prisma: Prisma, cache: InvalidatedCache<ConnectedAccount>, id: string): Promise<ConnectedAccount | null> {
  const cached = cache.get(id);
  if (cached) return cached;
  const snapshot = cache.snapshot();
  const account = await prisma.connectedAccount.findUnique({ where: { id } });
  if (account) cache.set(id, account, snapshot);
  return account;
}

export async function actOnBehalf(
  prisma: Prisma,
  cache: InvalidatedCache<ConnectedAccount>,
  platform: TenantScope,
  connectedAccountId: string,
  requestedTenantId: string | null,
): Promise<ActingOnBehalf> {
  const account = await findAccount(prisma, cache, connectedAccountId);
  if (!account || account.platformOrganizationId !== platform.organizationId) {
    throw connectedAccountNotFound(`No connected account ${connectedAccountId} belongs to this platform.`);
  }
  if (account.status !== 'ACTIVE') {
    throw connectedAccountNotActive(`The connected account is ${account.status}: only an ACTIVE account can be acted for.`, account.status);
  }
  const organizationId = account.connectedOrganizationId;
  if (!organizationId) throw new Error(`Active connected account ${account.id} has no connected organization`);

  if (account.connectionType === 'EXPRESS') {
    const tenantId = account.connectedTenantId;
    if (!tenantId) throw new Error(`Active express account ${account.id} has no connected tenant`);
    if (requestedTenantId !== null && requestedTenantId !== tenantId) {
      throw forbidden(`${TENANT_HEADER} names a tenant this connected account does not grant: it grants ${tenantId}.`);
    }
    return { account, scope: { organizationId, tenantId }, grantedScopes: null };
  }

  const granted = account.grantedTenantIds;
  if (requestedTenantId === null) {
    throw forbidden(`A STANDARD connected account needs ${TENANT_HEADER}: one of the tenants it grants (${granted.join(', ')}).`);
  }
  // The tenant must still be granted and still belong to the organization.
  const tenant = granted.includes(requestedTenantId)
    ? await prisma.tenant.findFirst({ where: { id: requestedTenantId, organizationId }, select: { id: true } })
    : null;
  if (!tenant) {
    throw forbidden(`${TENANT_HEADER} names a tenant this connected account does not grant: it grants ${granted.join(', ')}.`);
  }
  return { account, scope: { organizationId, tenantId: tenant.id }, grantedScopes: account.grantedScopes.filter(isGrantScope) };
}
