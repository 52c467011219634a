// The token endpoint (RFC 6749 §4.1.3): the platform's server exchanges a code, once, with its
// client secret and the PKCE verifier, for a STANDARD connected account. Like Stripe Connect, the
// answer is the account's id: the platform then acts with its own API key and the connect header.
import { createHash } from 'node:crypto';
import { sha256Hex } from '../../crypto/tokens.ts';
import type { Prisma, Transaction } from '../../db/database.ts';
import type { ConnectedAccount, OAuthAuthorization } from '../../generated/prisma/client.ts';
import { newId } from '../../core/ids.ts';
import { recordAccountEvent } from '../accounts/events.ts';
import { transitionTimestamps } from '../accounts/lifecycle.ts';
import { findOAuthClient } from './client-settings.ts';

export type TokenErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type';

export class OAuthTokenError extends Error {
  constructor(
    readonly error: TokenErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface TokenRequest {
  grantType: string | null;
  code: string | null;
  redirectUri: string | null;
  clientId: string | null;
  clientSecret: string | null;
  codeVerifier: string | null;
}

export interface GrantedAccount {
  token_type: 'connected_account';
  connected_account_id: string;
  connected_organization_id: string;
  scope: string;
  tenant_ids: string[];
}

const PKCE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
const CODE_PATTERN = /^[0-9A-Za-z]{43}$/;
const invalidGrant = (message: string) => new OAuthTokenError('invalid_grant', message);

const pkceChallengeOf = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/** RFC 6749 §4.1.2: a code presented twice revokes what it granted. */
async function revokeReplayed(prisma: Prisma, authorization: OAuthAuthorization, now: Date): Promise<void> {
  if (!authorization.connectedAccountId) return;
  await prisma.$transaction(async (tx) => {
    const before = await tx.connectedAccount.findFirst({
      where: { id: authorization.connectedAccountId ?? '', status: { in: ['ACTIVE', 'SUSPENDED'] } },
    });
    const revoked = await tx.connectedAccount.updateManyAndReturn({
      where: { id: authorization.connectedAccountId ?? '', status: { in: ['ACTIVE', 'SUSPENDED'] } },
      data: { status: 'REVOKED', ...transitionTimestamps('revoke', now) },
    });
    for (const account of revoked) {
      await recordAccountEvent(tx, 'connected_account.revoked', account, { type: 'SYSTEM' }, before ?? undefined);
    }
  });
}

/**
 * The organization's live STANDARD account with this platform gets the new grant (a platform asking
 * again for more scopes keeps one account); otherwise a new ACTIVE account is made.
 */
async function grantAccount(tx: Transaction, authorization: OAuthAuthorization, organizationId: string): Promise<ConnectedAccount> {
  const grant = { grantedScopes: authorization.requestedScopes, grantedTenantIds: authorization.grantedTenantIds };
  const existing = await tx.connectedAccount.findFirst({
    where: {
      platformOrganizationId: authorization.platformOrganizationId,
      connectedOrganizationId: organizationId,
      connectionType: 'STANDARD',
      status: { in: ['ACTIVE', 'SUSPENDED'] },
    },
  });
  const account = existing
    ? await tx.connectedAccount.update({ where: { id: existing.id }, data: grant })
    : await tx.connectedAccount.create({
        data: {
          id: newId('ConnectedAccount'),
          platformOrganizationId: authorization.platformOrganizationId,
          connectionType: 'STANDARD',
          onboardingMode: 'FULL',
          status: 'ACTIVE',
          connectedOrganizationId: organizationId,
          ...grant,
        },
      });
  // Consent makes an account ACTIVE at once (like Stripe's account.application.authorized); consenting
  // again changes the live account's grant.
  const byUser = { type: 'USER', id: authorization.userId } as const;
  if (existing) await recordAccountEvent(tx, 'connected_account.updated', account, byUser, existing);
  else await recordAccountEvent(tx, 'connected_account.activated', account, byUser);
  return account;
}

export async function exchangeCode(prisma: Prisma, request: TokenRequest, now: Date): Promise<GrantedAccount> {
  if (request.grantType !== 'authorization_code') {
    throw new OAuthTokenError('unsupported_grant_type', 'grant_type must be authorization_code.');
  }
  const { code, redirectUri, clientId, clientSecret, codeVerifier } = request;
  if (!code || !redirectUri || !codeVerifier) {
    throw new OAuthTokenError('invalid_request', 'code, redirect_uri and code_verifier are required.');
  }
  const client = clientId && clientSecret ? await findOAuthClient(prisma, clientId, clientSecret) : null;
  if (!client) throw new OAuthTokenError('invalid_client', 'Unknown client or wrong client secret.');

  const authorization = CODE_PATTERN.test(code)
    ? await prisma.oAuthAuthorization.findUnique({ where: { codeHash: sha256Hex(code) } })
    : null;
  if (!authorization || authorization.platformOrganizationId !== client.organizationId || !authorization.connectedOrganizationId) {
    throw invalidGrant('Unknown code.');
  }
  const organizationId = authorization.connectedOrganizationId;
  if (authorization.codeUsedAt) {
    await revokeReplayed(prisma, authorization, now);
    throw invalidGrant('This code was already used: the connection it made is revoked.');
  }
  if (!authorization.codeExpiresAt || authorization.codeExpiresAt.getTime() <= now.getTime()) throw invalidGrant('The code has expired.');
  if (authorization.redirectUri !== redirectUri) throw invalidGrant('redirect_uri differs from the authorization request.');
  if (!PKCE_VERIFIER.test(codeVerifier) || pkceChallengeOf(codeVerifier) !== authorization.codeChallenge) {
    throw invalidGrant('code_verifier does not match the code_challenge.');
  }

  const granted = await prisma.$transaction(async (tx) => {
    // Claimed with a condition, so of two concurrent exchanges exactly one gets the account.
    const claimed = await tx.oAuthAuthorization.updateMany({
      where: { id: authorization.id, codeUsedAt: null },
      data: { codeUsedAt: now },
    });
    if (claimed.count === 0) return null;
    const account = await grantAccount(tx, authorization, organizationId);
    await tx.oAuthAuthorization.update({ where: { id: authorization.id }, data: { connectedAccountId: account.id } });
    return account;
  });
  if (!granted) {
    await revokeReplayed(prisma, (await prisma.oAuthAuthorization.findUnique({ where: { id: authorization.id } })) ?? authorization, now);
    throw invalidGrant('This code was already used: the connection it made is revoked.');
  }
  return {
    token_type: 'connected_account',
    connected_account_id: granted.id,
    connected_organization_id: organizationId,
    scope: granted.grantedScopes.join(' '),
    tenant_ids: granted.grantedTenantIds,
  };
}
