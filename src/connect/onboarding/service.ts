// The public side of onboarding, authenticated by the link's token alone: what the onboarding page
// shows, and the completion that turns a PENDING express account into an ACTIVE one with its own
// user, organization, tenant and invoicing entity.
import type { Prisma, Transaction } from '../../db/database.ts';
import { isUniqueViolation } from '../../db/prisma-errors.ts';
import type { TokenSource } from '../../auth/token-lookups.ts';
import { ConflictError, InvalidCredentialsError, LinkInvalidError } from '../../core/domain-errors.ts';
import type { OnboardingLink } from '../../generated/prisma/client.ts';
import {
  provisionOrganization,
  validateInvoicingDetails,
  validateOrganizationName,
  type BusinessDetails,
} from '../../organizations/service.ts';
import { validatePassword } from '../../auth/passwords.ts';
import { INVALID_CREDENTIALS_MESSAGE, signIn, type PreparedUser } from '../../auth/sign-in.ts';
import { platformBrand } from '../platform/branding.ts';
import { recordAccountEvent } from '../accounts/events.ts';
import { transitions, transitionTimestamps } from '../accounts/lifecycle.ts';
import { assertLinkUsable, linkOfToken } from '../accounts/links.ts';
import { assertRequiredBusinessDetails } from '../platform/requirements.ts';

export interface OnboardingSession {
  connectedAccountId: string;
  platformName: string;
  logoUrl: string | null;
  organizationName: string | null;
  country: string | null;
  email: string | null;
  expiresAt: Date;
}

/** The token's link, when it can complete an onboarding now; else the error a client should see. */
export async function usableOnboardingLink(prisma: Prisma, token: string, now: Date) {
  // An account update link's token is unknown here, whatever its state: LINK_INVALID.
  const link = await linkOfToken(prisma, token, 'ONBOARDING');
  assertLinkUsable(link, now);
  if (link.connectedAccount.status !== 'PENDING') throw new LinkInvalidError('This onboarding link is no longer valid.');
  return link;
}

export async function onboardingSession(prisma: Prisma, token: string, now: Date): Promise<OnboardingSession> {
  const link = await usableOnboardingLink(prisma, token, now);
  const account = link.connectedAccount;
  const brand = await platformBrand(prisma, account.platformOrganizationId);
  return {
    connectedAccountId: account.id,
    platformName: brand.name,
    logoUrl: brand.logoUrl,
    organizationName: account.pendingOrganizationName,
    country: account.pendingCountry,
    email: account.pendingEmail,
    expiresAt: link.expiresAt,
  };
}

/** What the user submits: credentials, and the business details of the organization to make. */
export interface OnboardingForm extends Omit<BusinessDetails, 'logoUrl'> {
  token: string;
  email: string;
  password: string;
}

export interface CompletedOnboarding {
  redirectUrl: string;
  organizationId: string;
  tenantId: string;
  connectedAccountId: string;
}

/** The business details, checked; field names are reported under `prefix` (`input.` for GraphQL). */
export function businessDetails(form: Omit<BusinessDetails, 'logoUrl'>, prefix = 'input.'): BusinessDetails {
  return {
    organizationName: validateOrganizationName(form.organizationName, `${prefix}organizationName`),
    country: form.country,
    ...validateInvoicingDetails(form, prefix),
  };
}

/**
 * Unknown e-mail and wrong password alike: nobody gets a password for an e-mail that was not
 * verified, and the two cases cannot be told apart. A new user signs up on the hosted page.
 */
export const ONBOARDING_SIGN_IN_REFUSED = `${INVALID_CREDENTIALS_MESSAGE} A new user first signs up on the onboarding link's page, which verifies the e-mail.`;

/** Who submits a sign-in or a sign-up: the limits, and the client they count by. */
export type SignInSource = TokenSource;

/**
 * The GraphQL completion: an existing user's credentials and the business details in one
 * submission. A failed sign-in leaves the link usable; the limits count it per e-mail, client and link.
 */
export async function completeOnboarding(
  prisma: Prisma,
  source: SignInSource,
  form: OnboardingForm,
  now: Date,
): Promise<CompletedOnboarding> {
  // The link is checked before the slow password hashing, so a dead link fails fast.
  const link = await usableOnboardingLink(prisma, form.token, now);
  const details = businessDetails(form);
  const password = validatePassword(form.password, 'input.password');
  const user = await signIn(prisma, source.limits, { email: form.email, password, client: source.client, linkId: link.id });
  if (!user) throw new InvalidCredentialsError(ONBOARDING_SIGN_IN_REFUSED);
  return completeOnboardingAs(prisma, linkClaim(link), details, { id: user.id, create: null }, now);
}

/**
 * What a completion consumes, in its transaction: an onboarding link (the hosted page, GraphQL
 * `completeOnboarding`) or an account session's onboarding (src/connect/sessions/embedded-onboarding.ts).
 */
export interface OnboardingClaim {
  connectedAccountId: string;
  /** Claims it; null when it can no longer complete. `returnUrl`: where the user goes, when it says. */
  claim(tx: Transaction, now: Date): Promise<{ returnUrl: string | null } | null>;
  /** Why it could not be claimed, as the client should see it. */
  refusal(tx: Transaction, now: Date): Promise<Error>;
}

/** An onboarding link as a claim: single use, unexpired, not replaced. */
export const linkClaim = (link: Pick<OnboardingLink, 'id' | 'connectedAccountId'>): OnboardingClaim => ({
  connectedAccountId: link.connectedAccountId,
  claim: async (tx, now) =>
    (
      await tx.onboardingLink.updateManyAndReturn({
        where: { id: link.id, kind: 'ONBOARDING', usedAt: null, invalidatedAt: null, expiresAt: { gt: now } },
        data: { usedAt: now },
        select: { returnUrl: true },
      })
    )[0] ?? null,
  refusal: async (tx, now) => {
    assertLinkUsable(await tx.onboardingLink.findUnique({ where: { id: link.id } }), now);
    return new LinkInvalidError('This onboarding link is no longer valid.');
  },
});

/**
 * Completion for a user already known: signed in, or new (the hosted page verified its e-mail).
 * All or nothing, in one transaction. The account row is locked first (the order every Connect
 * write uses), then the link is claimed; of concurrent submissions of one token the first commits
 * and the others find the link used. The details must hold what the platform requires at that
 * moment (its current settings, not those of when the link was made); missing fields are named
 * under `fieldPrefix` (`input.` for GraphQL, none for the hosted page's form).
 */
export async function completeOnboardingAs(
  prisma: Prisma,
  credential: OnboardingClaim,
  details: BusinessDetails,
  user: PreparedUser,
  now: Date,
  fieldPrefix = 'input.',
): Promise<CompletedOnboarding> {
  const accountId = credential.connectedAccountId;
  const transition = transitions.complete;

  try {
    return await prisma.$transaction(async (tx) => {
      const locked = await tx.connectedAccount.updateMany({
        where: { id: accountId, status: { in: [...transition.from] } },
        data: { updatedAt: now },
      });
      const claimed = await credential.claim(tx, now);
      if (locked.count === 0 || !claimed) throw await credential.refusal(tx, now);
      const before = await tx.connectedAccount.findUniqueOrThrow({
        where: { id: accountId },
        include: {
          platformOrganization: { select: { connectPlatform: { select: { redirectUrl: true, requiredBusinessDetails: true } } } },
        },
      });
      const platform = before.platformOrganization.connectPlatform;
      if (!platform) throw new Error(`Platform of ${accountId} has no Connect settings`);
      assertRequiredBusinessDetails(platform.requiredBusinessDetails, details, fieldPrefix);
      if (user.create) await tx.user.create({ data: { id: user.id, ...user.create } });
      const { organization, tenant } = await provisionOrganization(tx, details);
      await tx.organizationMember.create({ data: { organizationId: organization.id, userId: user.id, role: 'READ_ONLY' } });
      const account = await tx.connectedAccount.update({
        where: { id: accountId },
        data: {
          status: transition.to,
          connectedOrganizationId: organization.id,
          connectedTenantId: tenant.id,
          ...transitionTimestamps('complete', now),
        },
      });
      await recordAccountEvent(tx, transition.event, account, { type: 'USER', id: user.id }, before);
      // The link's own destination first: a platform may send each user back to a different place.
      const redirectUrl = claimed.returnUrl ?? platform.redirectUrl;
      return { redirectUrl, organizationId: organization.id, tenantId: tenant.id, connectedAccountId: accountId };
    });
  } catch (error) {
    // Two first-time onboardings with one new email: the second finds the user made meanwhile.
    if (isUniqueViolation(error)) {
      throw new ConflictError('A user with this email was registered at the same moment: submit again to sign in with it.');
    }
    throw error;
  }
}
