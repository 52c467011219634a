// The connected organization's side: which platforms act for it, and ending that. Its rows belong to
// the platforms (tenant scoping ties connected accounts to the platform), so reads here name the
// connected organization explicitly, and a disconnection runs the platform's own lifecycle rule.
import type { Actor } from '../../auth/actor.ts';
import type { Prisma } from '../../db/database.ts';
import { scopeToTenant } from '../../db/tenant-scope.ts';
import { NotFoundError } from '../../core/domain-errors.ts';
import type { ConnectedAccount } from '../../generated/prisma/client.ts';
import { changeAccountStatus } from '../accounts/service.ts';

/** The accounts through which platforms act for this organization. */
export const connectedPlatformsOf = (organizationId: string) => ({ connectedOrganizationId: organizationId });

export async function disconnectPlatform(prisma: Prisma, actor: Actor, connectedAccountId: string): Promise<ConnectedAccount> {
  const account = await prisma.connectedAccount.findFirst({
    where: { id: connectedAccountId, ...connectedPlatformsOf(actor.actingScope.organizationId) },
    select: { platformOrganizationId: true },
  });
  if (!account) throw new NotFoundError(`No platform is connected to this organization through ${connectedAccountId}.`);
  // The revocation is the platform's lifecycle transition, run in the platform's scope.
  const platformDb = scopeToTenant(prisma, { organizationId: account.platformOrganizationId, tenantId: '' });
  return changeAccountStatus(platformDb, actor, connectedAccountId, 'deauthorize');
}
