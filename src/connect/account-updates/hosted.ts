// The public side of an account update link: the hosted page checks the link, signs in a member of
// the connected organization (a browser session, kept like onboarding's), shows the organization's
// business details, and saves them, which consumes the link. The token is the first credential, the
// user's password the second: a leaked link alone changes nothing.
import type { Prisma } from '../../db/database.ts';
import { InvalidCredentialsError, LinkInvalidError, ValidationError } from '../../core/domain-errors.ts';
import type { OnboardingLink, OnboardingSession } from '../../generated/prisma/client.ts';
import { isOrganizationMember, type InvoicingDetails } from '../../organizations/service.ts';
import { INVALID_CREDENTIALS_MESSAGE, signIn } from '../../auth/sign-in.ts';
import { assertLinkUsable, linkOfToken } from '../accounts/links.ts';
import { updateBusinessDetails } from '../accounts/business-details.ts';
import { newSession } from '../onboarding/hosted-sessions.ts';
import type { SignInSource } from '../onboarding/service.ts';

/** The token's update link, with its account, when it can be used now; else the LINK_* error. */
export async function usableAccountUpdateLink(prisma: Prisma, token: string, now: Date) {
  const link = await linkOfToken(prisma, token, 'ACCOUNT_UPDATE');
  assertLinkUsable(link, now);
  // Suspended or revoked since the link was made: the link no longer opens anything.
  if (link.connectedAccount.status !== 'ACTIVE') throw new LinkInvalidError('This link is no longer valid.');
  return link;
}

export type AccountUpdateLink = Awaited<ReturnType<typeof usableAccountUpdateLink>>;

/**
 * A member of the connected organization signs in; returns the new session's secret. A wrong
 * password, an unknown e-mail and a user of another organization get the same refusal (counted per
 * e-mail, client and link, like every sign-in).
 */
export async function signInToAccountUpdate(
  prisma: Prisma,
  source: SignInSource,
  link: AccountUpdateLink,
  credentials: { email: string; password: string },
  now: Date,
): Promise<string> {
  const user = await signIn(prisma, source.limits, { ...credentials, client: source.client, linkId: link.id });
  if (!user || !(await isMemberNow(prisma, link, user.id))) throw new InvalidCredentialsError(INVALID_CREDENTIALS_MESSAGE);
  return newSession(prisma, link, now, { email: user.email, userId: user.id });
}

/** Whether the user belongs to the account's organization now. */
const isMemberNow = (prisma: Prisma, link: AccountUpdateLink, userId: string) =>
  link.connectedAccount.connectedOrganizationId !== null &&
  isOrganizationMember(prisma, link.connectedAccount.connectedOrganizationId, userId);

/**
 * The details as they are now (the connected tenant's default invoicing entity), shown only to a
 * user who is still a member; null otherwise, and the page asks to sign in again.
 */
export async function currentBusinessDetails(prisma: Prisma, link: AccountUpdateLink, userId: string): Promise<InvoicingDetails | null> {
  if (!(await isMemberNow(prisma, link, userId))) return null;
  const tenantId = link.connectedAccount.connectedTenantId;
  const entity = tenantId
    ? await prisma.invoicingEntity.findFirst({ where: { tenantId, isDefault: true }, orderBy: { createdAt: 'asc' } })
    : null;
  return entity ?? {};
}

/**
 * Saves the details and consumes the link, in one transaction: a refused form leaves the link
 * usable, and of two submissions the second finds the link used. Returns where the browser goes:
 * the link's returnUrl, else the platform's redirectUrl.
 */
export async function saveBusinessDetails(
  prisma: Prisma,
  session: OnboardingSession,
  link: Pick<OnboardingLink, 'id' | 'connectedAccountId'>,
  details: InvoicingDetails,
  now: Date,
): Promise<string> {
  const userId = session.userId;
  if (!userId) throw new ValidationError('Sign in first.', ['email']);
  return prisma.$transaction(async (tx) => {
    // The account's row is locked in there first, the order every Connect write uses; then the link is claimed.
    await updateBusinessDetails(tx, { connectedAccountId: link.connectedAccountId, details, editor: { type: 'USER', id: userId }, now });
    const [claimed] = await tx.onboardingLink.updateManyAndReturn({
      where: { id: link.id, kind: 'ACCOUNT_UPDATE', usedAt: null, invalidatedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
      select: {
        returnUrl: true,
        connectedAccount: { select: { platformOrganization: { select: { connectPlatform: { select: { redirectUrl: true } } } } } },
      },
    });
    if (!claimed) {
      assertLinkUsable(await tx.onboardingLink.findUnique({ where: { id: link.id } }), now);
      throw new LinkInvalidError('This link is no longer valid.');
    }
    await tx.onboardingSession.deleteMany({ where: { onboardingLinkId: link.id } });
    const redirectUrl = claimed.returnUrl ?? claimed.connectedAccount.platformOrganization.connectPlatform?.redirectUrl;
    if (!redirectUrl) throw new Error(`Platform of ${link.connectedAccountId} has no Connect settings`);
    return redirectUrl;
  });
}
