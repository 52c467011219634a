// Links to the hosted pages, of two kinds that never stand in for each other: onboarding (a PENDING
// account) and account update (an ACTIVE account's business details). A random token (≥ 256 bits)
// handed out once, stored only as its SHA-256, valid until it expires, is used, or is replaced by a
// newer link of the same account and kind. A link may say
// where the hosted page sends the user afterwards (returnUrl) and when it cannot be used (refreshUrl).
import { linkTokenHash, newLinkToken, sha256Hex } from '../../crypto/tokens.ts';
import type { Prisma } from '../../db/database.ts';
import type { TenantTx } from '../../db/tenant-scope.ts';
import { LinkExpiredError, LinkInvalidError, LinkUsedError } from '../../core/domain-errors.ts';
import type { OnboardingLink } from '../../generated/prisma/client.ts';
import type { AccountLinkKind } from '../../generated/prisma/enums.ts';
import { newId } from '../../core/ids.ts';
import { browserUrl, type UrlPolicy } from '../../core/secure-urls.ts';

export interface IssuedAccountLink {
  link: OnboardingLink;
  /** The plaintext token, returned to the platform exactly once. */
  token: string;
}

export function onboardingUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/onboarding/${token}`;
}

/** Where the hosted page sends the user: after finishing, and when the link cannot be used. */
export interface LinkDestinations {
  returnUrl: string | null;
  refreshUrl: string | null;
}

const NO_DESTINATIONS: LinkDestinations = { returnUrl: null, refreshUrl: null };

/**
 * The destinations a platform gives for a link, checked like its redirectUrl (the browser is sent
 * there: https, see core/secure-urls.ts). Field names are reported under `prefix`.
 */
export function linkDestinations(
  input: { returnUrl?: URL | null | undefined; refreshUrl?: URL | null | undefined },
  urls: UrlPolicy,
  prefix = 'input.',
): LinkDestinations {
  return {
    returnUrl: input.returnUrl ? browserUrl(input.returnUrl, urls, `${prefix}returnUrl`) : null,
    refreshUrl: input.refreshUrl ? browserUrl(input.refreshUrl, urls, `${prefix}refreshUrl`) : null,
  };
}

/** The link of `kind` a presented token names, with its account; null for any other token. */
export async function linkOfToken(prisma: Prisma, token: string, kind: AccountLinkKind) {
  const tokenHash = linkTokenHash(token);
  return tokenHash ? prisma.onboardingLink.findUnique({ where: { tokenHash, kind }, include: { connectedAccount: true } }) : null;
}

/**
 * A new link of `kind` for the account; every earlier link of that kind stops working in the same
 * transaction, and no link of the other kind does (a new update link leaves onboarding links alone,
 * and the reverse). The caller holds the account's row lock, so two concurrent calls cannot both
 * leave a valid link behind.
 */
export async function issueAccountLink(
  tx: TenantTx,
  account: { id: string; platformOrganizationId: string },
  issued: { kind: AccountLinkKind; ttlSeconds: number; destinations: LinkDestinations },
  now: Date,
): Promise<IssuedAccountLink> {
  await invalidateAccountLinks(tx, account.id, now, issued.kind);
  const token = newLinkToken();
  const link = await tx.onboardingLink.create({
    data: {
      id: newId('OnboardingLink'),
      kind: issued.kind,
      platformOrganizationId: account.platformOrganizationId,
      connectedAccountId: account.id,
      tokenHash: sha256Hex(token),
      expiresAt: new Date(now.getTime() + issued.ttlSeconds * 1000),
      ...issued.destinations,
    },
  });
  return { link, token };
}

/** A new onboarding link for the account; its earlier onboarding links stop working. */
export function issueOnboardingLink(
  tx: TenantTx,
  account: { id: string; platformOrganizationId: string },
  ttlSeconds: number,
  now: Date,
  destinations: LinkDestinations = NO_DESTINATIONS,
): Promise<IssuedAccountLink> {
  return issueAccountLink(tx, account, { kind: 'ONBOARDING', ttlSeconds, destinations }, now);
}

/** Every unused link of the account stops working (only those of `kind`, when given). */
export async function invalidateAccountLinks(tx: TenantTx, connectedAccountId: string, now: Date, kind?: AccountLinkKind): Promise<void> {
  await tx.onboardingLink.updateMany({
    where: { connectedAccountId, usedAt: null, invalidatedAt: null, ...(kind ? { kind } : {}) },
    data: { invalidatedAt: now },
  });
}

/**
 * The token named no usable link of its kind (unknown, replaced, of the other kind): a failed lookup,
 * which the per-client limit of unknown tokens counts (src/auth/token-lookups.ts). A used or expired
 * link was a real one.
 */
export const namesNoLink = (error: unknown): boolean => error instanceof LinkInvalidError;

/** Throws the error a client should see for a link that cannot be used now. */
export function assertLinkUsable(link: OnboardingLink | null, now: Date): asserts link is OnboardingLink {
  if (!link) throw new LinkInvalidError('This onboarding link is not valid.');
  if (link.usedAt) throw new LinkUsedError('This onboarding link was already used.');
  if (link.invalidatedAt) throw new LinkInvalidError('This onboarding link was replaced by a newer one or revoked.');
  if (link.expiresAt.getTime() <= now.getTime())
    throw new LinkExpiredError('This onboarding link has expired: ask the platform for a new one.');
}

/**
 * Where the hosted page may send someone who presents this token, even when the link is expired,
 * used or replaced (that is the point: the platform issues a new one there). Null when the token is
 * not one of ours (of `kind`, when given: a page honours only its own links) or its link has no
 * refreshUrl. Tells nothing else about the link or its account.
 */
export async function refreshUrlOf(prisma: Prisma, token: string, kind?: AccountLinkKind): Promise<string | null> {
  const tokenHash = linkTokenHash(token);
  if (!tokenHash) return null;
  const link = await prisma.onboardingLink.findUnique({ where: { tokenHash, ...(kind ? { kind } : {}) }, select: { refreshUrl: true } });
  return link?.refreshUrl ?? null;
}
