// A platform's OAuth client, part of its Connect settings: a public client id, a secret shown once
// and stored as SHA-256, and the redirect URIs an authorization may return to (compared exactly).
import { randomBase62, secretsEqual, sha256Hex } from '../../crypto/tokens.ts';
import type { Prisma } from '../../db/database.ts';
import type { TenantDb } from '../../db/tenant-scope.ts';
import { ValidationError } from '../../core/domain-errors.ts';
import { hasSecureScheme, type UrlPolicy } from '../../core/secure-urls.ts';
import type { ConnectPlatform } from '../../generated/prisma/client.ts';
import { requireConnectPlatform } from '../platform/service.ts';
import type { Actor } from '../../auth/actor.ts';

const MAX_REDIRECT_URIS = 10;

export interface OAuthClientInput {
  redirectUris: URL[];
  /** Issue a new client secret; the previous one stops working at once. */
  rotateClientSecret?: boolean | null | undefined;
}

export interface ConfiguredOAuthClient {
  platform: ConnectPlatform;
  /** The plaintext secret, when one was issued by this call; never readable again. */
  clientSecret: string | null;
}

/** https (core/secure-urls.ts: http for loopback only, outside production), no fragment (RFC 6749 §3.1.2). */
function validRedirectUris(uris: URL[], urls: UrlPolicy): string[] {
  if (uris.length === 0 || uris.length > MAX_REDIRECT_URIS) {
    throw new ValidationError(`Give 1 to ${MAX_REDIRECT_URIS} redirect URIs.`, ['input.redirectUris']);
  }
  const bad = uris.flatMap((uri, index) => {
    return hasSecureScheme(uri, urls) && uri.hash === '' && !uri.username && !uri.password ? [] : [`input.redirectUris.${index}`];
  });
  if (bad.length > 0) {
    const http = urls.production ? '' : ' (http only on localhost, outside production)';
    throw new ValidationError(`A redirect URI must be https${http}, without a fragment or credentials.`, bad);
  }
  return [...new Set(uris.map((uri) => uri.href))];
}

export async function configureOAuthClient(
  db: TenantDb,
  actor: Actor,
  urls: UrlPolicy,
  input: OAuthClientInput,
): Promise<ConfiguredOAuthClient> {
  const redirectUris = validRedirectUris(input.redirectUris, urls);
  const current = await requireConnectPlatform(db, actor);
  const issueSecret = current.oauthClientId === null || input.rotateClientSecret === true;
  const clientSecret = issueSecret ? `csec_${randomBase62(43)}` : null;
  const platform = await db.connectPlatform.update({
    where: { organizationId: current.organizationId },
    data: {
      oauthRedirectUris: redirectUris,
      ...(current.oauthClientId === null ? { oauthClientId: `cli_${randomBase62(22)}` } : {}),
      ...(clientSecret ? { oauthClientSecretHash: sha256Hex(clientSecret) } : {}),
    },
  });
  return { platform, clientSecret };
}

/** The platform whose OAuth client this is, when the secret matches (`secret` undefined: the id alone). */
export async function findOAuthClient(prisma: Prisma, clientId: string, secret?: string) {
  const platform = await prisma.connectPlatform.findUnique({
    where: { oauthClientId: clientId },
  });
  if (!platform) return null;
  if (secret !== undefined && !(platform.oauthClientSecretHash && secretsEqual(sha256Hex(secret), platform.oauthClientSecretHash))) {
    return null;
  }
  return platform;
}
