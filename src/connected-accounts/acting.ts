// Acting on behalf of a connected account: the platform's own key plus the account's id in
// `x-meteroid-connect-account` make the request run in the connected organization and tenant.
// Checked on every request, so a suspended or revoked account is refused at once.
import type { Prisma } from '../db/database.ts';
import type { TenantScope } from '../db/tenant-scope.ts';
import type { ConnectedAccount } from '../generated/prisma/client.ts';
import { connectedAccountNotActive, connectedAccountNotFound } from '../graphql/request-errors.ts';

export const CONNECT_ACCOUNT_HEADER = 'x-meteroid-connect-account';

export interface ActingOnBehalf {
  account: ConnectedAccount;
  scope: TenantScope;
}

export async function actOnBehalf(prisma: Prisma, platform: TenantScope, connectedAccountId: string): Promise<ActingOnBehalf> {
  const account = await prisma.connectedAccount.findFirst({
    where: { id: connectedAccountId, platformOrganizationId: platform.organizationId },
  });
  if (!account) {
    throw connectedAccountNotFound(`No connected account ${connectedAccountId} belongs to this platform.`);
  }
  if (account.status !== 'ACTIVE') {
    throw connectedAccountNotActive(`The connected account is ${account.status}: only an ACTIVE account can be acted for.`, account.status);
  }
  if (!account.connectedOrganizationId || !account.connectedTenantId) {
    throw new Error(`Active connected account ${account.id} has no connected tenant`);
  }
  return { account, scope: { organizationId: account.connectedOrganizationId, tenantId: account.connectedTenantId } };
}
