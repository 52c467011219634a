// Step one of the hosted onboarding page: who the person is. A browser session (a cookie whose
// SHA-256 is stored) ends step one either signed in as an existing user, or as a new user whose
// e-mail was verified through a link sent by e-mail and who chose a password. Step two then
// completes the onboarding as that user, through the same rule as the GraphQL mutation.
import { randomBase62, sha256Hex } from '../../crypto/tokens.ts';
import type { Prisma } from '../../db/database.ts';
import { businessDetails, completeOnboardingAs, linkClaim, type CompletedOnboarding, type SignInSource } from './service.ts';
import { enqueueEmail } from '../../email/outbox.ts';
import { accountExistsEmail, verificationEmail, type SignUpEmailInput } from './sign-up-emails.ts';
import { InvalidCredentialsError, ValidationError } from '../../core/domain-errors.ts';
import type { OnboardingLink, OnboardingSession } from '../../generated/prisma/client.ts';
import type { BusinessDetails } from '../../organizations/service.ts';
import { newId } from '../../core/ids.ts';
import { hashPassword, validatePassword } from '../../auth/passwords.ts';
import { INVALID_CREDENTIALS_MESSAGE, signIn } from '../../auth/sign-in.ts';
import { acceptSignUpEmail } from './sign-up.ts';

const SESSION_TTL_MS = 60 * 60 * 1000;
const SECRET_LENGTH = 43;
const SECRET_PATTERN = /^[0-9A-Za-z]{43}$/;

export type SessionStep = 'verify-email' | 'set-password' | 'business-details';

export function stepOf(session: OnboardingSession): SessionStep {
  if (session.userId || session.passwordHash) return 'business-details';
  return session.emailVerifiedAt ? 'set-password' : 'verify-email';
}

/** A session never outlives its link. */
const sessionExpiry = (link: OnboardingLink, now: Date) => new Date(Math.min(now.getTime() + SESSION_TTL_MS, link.expiresAt.getTime()));

/** A browser session for this link (the account update page's sign-in starts one too); returns its secret, for the cookie. */
export async function newSession(
  prisma: Prisma,
  link: OnboardingLink,
  now: Date,
  fields: { email: string; userId?: string; verificationTokenHash?: string },
) {
  const secret = randomBase62(SECRET_LENGTH);
  await prisma.onboardingSession.create({
    data: {
      id: newId('OnboardingSession'),
      onboardingLinkId: link.id,
      secretHash: sha256Hex(secret),
      expiresAt: sessionExpiry(link, now),
      ...fields,
    },
  });
  return secret;
}

/** The session the browser's cookie names, for this link, while it lasts. */
export async function currentSession(
  prisma: Prisma,
  link: OnboardingLink,
  secret: string | null,
  now: Date,
): Promise<OnboardingSession | null> {
  if (!secret || !SECRET_PATTERN.test(secret)) return null;
  const session = await prisma.onboardingSession.findUnique({ where: { secretHash: sha256Hex(secret) } });
  return session && session.onboardingLinkId === link.id && session.expiresAt.getTime() > now.getTime() ? session : null;
}

/** An existing user signs in (counted per e-mail, client and link, as on GraphQL); returns the new session's secret. */
export async function signInToOnboarding(
  prisma: Prisma,
  source: SignInSource,
  link: OnboardingLink,
  credentials: { email: string; password: string },
  now: Date,
): Promise<string> {
  const user = await signIn(prisma, source.limits, { ...credentials, client: source.client, linkId: link.id });
  if (!user) throw new InvalidCredentialsError(INVALID_CREDENTIALS_MESSAGE);
  return newSession(prisma, link, now, { email: user.email, userId: user.id });
}

/**
 * Someone gives an e-mail to sign up with. Whether an account has it or not, the answer, the work and
 * so the time are the same (the address looked up, then a session and one e-mail written together),
 * so the page tells no one which addresses have accounts: a new address gets its verification link,
 * a known one a message telling its owner to sign in instead (./sign-up-emails.ts). The session of a
 * known address waits for a verification that was never sent, like any unverified one. E-mails are
 * limited per address, link and client (RateLimitExceededError). Returns the session's secret.
 */
export async function startEmailVerification(
  prisma: Prisma,
  source: SignInSource,
  link: OnboardingLink,
  input: SignUpEmailInput,
  now: Date,
): Promise<string> {
  const place = { linkId: link.id, platformOrganizationId: link.platformOrganizationId };
  const { email, known } = await acceptSignUpEmail(prisma, source, place, input.email, 'email');
  const verificationToken = randomBase62(SECRET_LENGTH);
  const secret = randomBase62(SECRET_LENGTH);
  const message = known ? accountExistsEmail({ ...input, email }) : verificationEmail({ ...input, email }, verificationToken);
  await prisma.$transaction(async (tx) => {
    await tx.onboardingSession.create({
      data: {
        id: newId('OnboardingSession'),
        onboardingLinkId: link.id,
        secretHash: sha256Hex(secret),
        email,
        verificationTokenHash: sha256Hex(verificationToken),
        expiresAt: sessionExpiry(link, now),
      },
    });
    // Queued as the platform's: its sign-ups take turns with the other platforms' in the outbox.
    await enqueueEmail(tx, message, link.platformOrganizationId);
  });
  return secret;
}

/** The link from the e-mail, opened in any browser: verifies the e-mail and starts a session there. Single use. */
export async function verifyEmail(prisma: Prisma, link: OnboardingLink, verificationToken: string, now: Date): Promise<string | null> {
  if (!SECRET_PATTERN.test(verificationToken)) return null;
  const secret = randomBase62(SECRET_LENGTH);
  const verified = await prisma.onboardingSession.updateMany({
    where: { verificationTokenHash: sha256Hex(verificationToken), onboardingLinkId: link.id, expiresAt: { gt: now } },
    data: { verificationTokenHash: null, emailVerifiedAt: now, secretHash: sha256Hex(secret) },
  });
  return verified.count === 1 ? secret : null;
}

export async function choosePassword(prisma: Prisma, session: OnboardingSession, password: string): Promise<void> {
  if (stepOf(session) !== 'set-password') throw new ValidationError('The e-mail is not verified yet.', ['password']);
  const passwordHash = await hashPassword(validatePassword(password, 'password'));
  await prisma.onboardingSession.update({ where: { id: session.id }, data: { passwordHash } });
}

/** Step two: the business details, then the same completion as `completeOnboarding`. */
export async function completeFromSession(
  prisma: Prisma,
  session: OnboardingSession,
  link: OnboardingLink,
  form: Omit<BusinessDetails, 'logoUrl'>,
  now: Date,
): Promise<CompletedOnboarding> {
  const details = businessDetails(form, '');
  const user = session.userId
    ? { id: session.userId, create: null }
    : session.passwordHash
      ? { id: newId('User'), create: { email: session.email, passwordHash: session.passwordHash } }
      : null;
  if (!user) throw new ValidationError('Sign in or verify your e-mail first.', ['email']);
  const completed = await completeOnboardingAs(prisma, linkClaim(link), details, user, now, '');
  await prisma.onboardingSession.deleteMany({ where: { onboardingLinkId: link.id } });
  return completed;
}
