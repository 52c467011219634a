// Connection links: the platform (or the tenant itself) sends a member of the tenant's organization
// to a hosted page where they type a provider's credentials, so the link's maker never holds them
// (Nango's connect sessions, Stripe's account links). Single use, 15 minutes; the token is handed out
// once and stored as its SHA-256. Made while acting for an account, the connection lands in that
// account's tenant and its organization's members fill the page in; made with a tenant's own key,
// its own organization's members do. The page's side is ./hosted-links.ts.
import type { Actor } from '../auth/actor.ts';
import { ConflictError, NotFoundError, ValidationError } from '../core/domain-errors.ts';
import { newId } from '../core/ids.ts';
import { browserUrl, type UrlPolicy } from '../core/secure-urls.ts';
import { displayedName } from '../core/validation.ts';
import { newLinkToken, sha256Hex } from '../crypto/tokens.ts';
import type { TenantDb } from '../db/tenant-scope.ts';
import type { ConnectionLink } from '../generated/prisma/client.ts';
import type { ProviderType } from '../generated/prisma/enums.ts';

/** Short, as Stripe's account links: the link is opened right after it is made. */
export const CONNECTION_LINK_TTL_SECONDS = 15 * 60;

export const connectionLinkUrl = (publicUrl: string, token: string) => `${publicUrl}/connection-link/${token}`;

export interface NewConnectionLink {
  providerType: ProviderType;
  /** Reconnect: the page replaces this connection's secrets. */
  connectionId?: string | null | undefined;
  /** Without connectionId: the new connection's name. */
  name?: string | null | undefined;
  returnUrl: URL;
  refreshUrl: URL;
}

/** What the link's page will do: replace a connection's secrets, or create one with this name. */
async function linkTarget(db: TenantDb, input: NewConnectionLink): Promise<{ connectionId: string | null; name: string | null }> {
  if (input.connectionId) {
    if (input.name != null) {
      throw new ValidationError('input.name is for a new connection: a reconnect link keeps the connection’s name.', ['input.name']);
    }
    const connection = await db.connection.findUnique({ where: { id: input.connectionId } });
    if (!connection || connection.status === 'DELETED') throw new NotFoundError(`No connection ${input.connectionId}.`);
    if (connection.providerType !== input.providerType) {
      throw new ValidationError(`Connection ${connection.id} is a ${connection.providerType} connection.`, ['input.providerType']);
    }
    return { connectionId: connection.id, name: null };
  }
  if (input.name == null) throw new ValidationError('input.name is required without input.connectionId.', ['input.name']);
  const name = displayedName(input.name, 255, 'input.name');
  // Checked again when the page saves: the name may be taken meanwhile.
  const taken = await db.connection.findFirst({
    where: { name: { equals: name, mode: 'insensitive' }, status: { not: 'DELETED' } },
    select: { id: true },
  });
  if (taken) throw new ConflictError(`This tenant already has a connection named "${name}" (in some letter case).`);
  return { connectionId: null, name };
}

export async function createConnectionLink(
  db: TenantDb,
  actor: Actor,
  urls: UrlPolicy,
  input: NewConnectionLink,
): Promise<{ link: ConnectionLink; token: string }> {
  const returnUrl = browserUrl(input.returnUrl, urls, 'input.returnUrl');
  const refreshUrl = browserUrl(input.refreshUrl, urls, 'input.refreshUrl');
  const target = await linkTarget(db, input);
  const token = newLinkToken();
  const link = await db.connectionLink.create({
    data: {
      id: newId('ConnectionLink'),
      tenantId: actor.actingScope.tenantId,
      organizationId: actor.actingScope.organizationId,
      connectedAccountId: actor.actingAs?.id ?? null,
      platformOrganizationId: actor.actingAs?.platformOrganizationId ?? null,
      providerType: input.providerType,
      ...target,
      returnUrl,
      refreshUrl,
      tokenHash: sha256Hex(token),
      expiresAt: new Date(actor.now.getTime() + CONNECTION_LINK_TTL_SECONDS * 1000),
      createdBy: actor.apiKeyId,
    },
  });
  return { link, token };
}
