// Onboarding inside the platform's page (the ACCOUNT_ONBOARDING component): the same steps and rules
// as the hosted page (src/connect/onboarding/), with the progress kept on the account session's row
// and the e-mail verified by a 6-digit code typed into the page instead of a link. A person signs in
// (same limits as every sign-in), or signs up: the code goes out through the outbox (an address that
// has an account gets the "sign in instead" message, and the answer is the same), then the right code
// and a password, then the business details complete the account through `completeOnboardingAs`.
import { randomInt } from 'node:crypto';
import type { Prisma, Transaction } from '../../db/database.ts';
import { InvalidCredentialsError, InvalidStateError, ValidationError } from '../../core/domain-errors.ts';
import type { AccountSession, ConnectedAccount } from '../../generated/prisma/client.ts';
import { newId } from '../../core/ids.ts';
import { secretsEqual, sha256Hex } from '../../crypto/tokens.ts';
import { enqueueEmail } from '../../email/outbox.ts';
import { hashPassword, validatePassword } from '../../auth/passwords.ts';
import { INVALID_CREDENTIALS_MESSAGE, signIn } from '../../auth/sign-in.ts';
import type { BusinessDetails } from '../../organizations/service.ts';
import { platformBrand } from '../platform/branding.ts';
import {
  businessDetails,
  completeOnboardingAs,
  type CompletedOnboarding,
  type OnboardingClaim,
  type SignInSource,
} from '../onboarding/service.ts';
import { acceptSignUpEmail } from '../onboarding/sign-up.ts';
import { accountExistsEmail, verificationCodeEmail } from '../onboarding/sign-up-emails.ts';

const CODE_TTL_MINUTES = 15;
/** Wrong codes before the code is dropped: 5 tries at 1 in 10^6 each; a new sign-up sends a new one. */
export const MAX_CODE_FAILURES = 5;

export type EmbeddedOnboardingStep = 'SIGN_IN_OR_SIGN_UP' | 'VERIFY_EMAIL' | 'BUSINESS_DETAILS' | 'COMPLETED';

export interface EmbeddedOnboarding {
  step: EmbeddedOnboardingStep;
  email: string | null;
  organizationName: string | null;
  country: string | null;
}

type SessionWithAccount = AccountSession & { connectedAccount: ConnectedAccount };

export function stepOf(session: SessionWithAccount): EmbeddedOnboardingStep {
  if (session.connectedAccount.status !== 'PENDING') return 'COMPLETED';
  if (session.onboardingUserId || session.onboardingPasswordHash) return 'BUSINESS_DETAILS';
  return session.onboardingEmail ? 'VERIFY_EMAIL' : 'SIGN_IN_OR_SIGN_UP';
}

export const onboardingOf = (session: SessionWithAccount): EmbeddedOnboarding => ({
  step: stepOf(session),
  email: session.onboardingEmail ?? session.connectedAccount.pendingEmail,
  organizationName: session.connectedAccount.pendingOrganizationName,
  country: session.connectedAccount.pendingCountry,
});

export const sessionWithAccount = (prisma: Prisma, sessionId: string) =>
  prisma.accountSession.findUniqueOrThrow({ where: { id: sessionId }, include: { connectedAccount: true } });

/** The session's onboarding while its account is still PENDING; else INVALID_STATE. */
async function onboardingSession(prisma: Prisma, sessionId: string): Promise<SessionWithAccount> {
  const session = await sessionWithAccount(prisma, sessionId);
  if (stepOf(session) === 'COMPLETED') throw new InvalidStateError('This account has completed its onboarding.');
  return session;
}

const codeHashOf = (sessionId: string, code: string) => sha256Hex(`${sessionId}:${code}`);

/** An existing user signs in; the step becomes BUSINESS_DETAILS. */
export async function embeddedSignIn(
  prisma: Prisma,
  source: SignInSource,
  sessionId: string,
  credentials: { email: string; password: string },
): Promise<EmbeddedOnboarding> {
  await onboardingSession(prisma, sessionId);
  // Counted per e-mail, client and session, as a hosted sign-in is per link.
  const user = await signIn(prisma, source.limits, { ...credentials, client: source.client, linkId: sessionId });
  if (!user) throw new InvalidCredentialsError(INVALID_CREDENTIALS_MESSAGE);
  const updated = await prisma.accountSession.update({
    where: { id: sessionId },
    data: { onboardingEmail: user.email, onboardingUserId: user.id, onboardingCodeHash: null, onboardingPasswordHash: null },
    include: { connectedAccount: true },
  });
  return onboardingOf(updated);
}

/**
 * Someone gives an e-mail to sign up with: a new address gets a code, a known one the "sign in
 * instead" message, and the session waits for a code either way (the known address's is never sent).
 * The same answer, work and time for both. Limited like the hosted page's sign-up e-mails.
 */
export async function embeddedSignUp(prisma: Prisma, source: SignInSource, sessionId: string, given: string, now: Date) {
  const session = await onboardingSession(prisma, sessionId);
  const platformOrganizationId = session.platformOrganizationId;
  const { email, known } = await acceptSignUpEmail(prisma, source, { linkId: sessionId, platformOrganizationId }, given, 'input.email');
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const { name: platformName } = await platformBrand(prisma, platformOrganizationId);
  const message = known
    ? accountExistsEmail({ email, platformName, pageUrl: null, verifyUrl: () => '' })
    : verificationCodeEmail({ email, platformName }, code, CODE_TTL_MINUTES);
  const updated = await prisma.$transaction(async (tx) => {
    // Queued as the platform's: its sign-ups take turns with the other platforms' in the outbox.
    await enqueueEmail(tx, message, platformOrganizationId);
    return tx.accountSession.update({
      where: { id: sessionId },
      data: {
        onboardingEmail: email,
        onboardingUserId: null,
        onboardingPasswordHash: null,
        onboardingEmailVerifiedAt: null,
        onboardingCodeHash: codeHashOf(sessionId, code),
        onboardingCodeExpiresAt: new Date(now.getTime() + CODE_TTL_MINUTES * 60_000),
        onboardingCodeFailures: 0,
      },
      include: { connectedAccount: true },
    });
  });
  return onboardingOf(updated);
}

/** Counts a wrong code; the last allowed one drops it. Atomic, so parallel guesses share the 5. */
async function countWrongCode(prisma: Prisma, sessionId: string): Promise<number> {
  const [counted] = await prisma.accountSession.updateManyAndReturn({
    where: { id: sessionId, onboardingCodeHash: { not: null }, onboardingCodeFailures: { lt: MAX_CODE_FAILURES } },
    data: { onboardingCodeFailures: { increment: 1 } },
    select: { onboardingCodeFailures: true },
  });
  const failures = counted?.onboardingCodeFailures ?? MAX_CODE_FAILURES;
  if (failures >= MAX_CODE_FAILURES) {
    await prisma.accountSession.update({ where: { id: sessionId }, data: { onboardingCodeHash: null, onboardingCodeExpiresAt: null } });
  }
  return MAX_CODE_FAILURES - failures;
}

/** The code from the e-mail and the new user's password: the step becomes BUSINESS_DETAILS. */
export async function embeddedVerifyEmail(
  prisma: Prisma,
  sessionId: string,
  input: { code: string; password: string },
  now: Date,
): Promise<EmbeddedOnboarding> {
  const session = await onboardingSession(prisma, sessionId);
  const password = validatePassword(input.password, 'input.password');
  const stored = session.onboardingCodeHash;
  if (!stored || !session.onboardingCodeExpiresAt || session.onboardingCodeExpiresAt.getTime() <= now.getTime()) {
    throw new ValidationError('There is no code to check: it expired, was tried 5 times, or none was sent. Sign up again for a new one.', [
      'input.code',
    ]);
  }
  if (!/^\d{6}$/.test(input.code.trim()) || !secretsEqual(codeHashOf(sessionId, input.code.trim()), stored)) {
    const left = await countWrongCode(prisma, sessionId);
    throw new ValidationError(
      left > 0
        ? `The code is not right: ${left} more ${left === 1 ? 'try' : 'tries'}.`
        : 'The code is not right, and it was tried 5 times: sign up again for a new one.',
      ['input.code'],
    );
  }
  const passwordHash = await hashPassword(password);
  // Only if the code is still the one checked: a parallel sign-up's new code is not consumed by the old one.
  const [verified] = await prisma.accountSession.updateManyAndReturn({
    where: { id: sessionId, onboardingCodeHash: stored },
    data: { onboardingCodeHash: null, onboardingCodeExpiresAt: null, onboardingEmailVerifiedAt: now, onboardingPasswordHash: passwordHash },
  });
  if (!verified) throw new ValidationError('The code was replaced meanwhile: use the newest one.', ['input.code']);
  return onboardingOf(await sessionWithAccount(prisma, sessionId));
}

/** The session as what a completion consumes: while it is live; its onboarding progress is then cleared. */
const sessionClaim = (session: AccountSession): OnboardingClaim => ({
  connectedAccountId: session.connectedAccountId,
  claim: async (tx: Transaction, now: Date) => {
    const claimed = await tx.accountSession.updateMany({
      where: { id: session.id, revokedAt: null, expiresAt: { gt: now } },
      data: { onboardingCodeHash: null, onboardingPasswordHash: null },
    });
    return claimed.count === 1 ? { returnUrl: null } : null;
  },
  refusal: async () => new InvalidStateError('This account session ended, or the account is no longer PENDING.'),
});

/** The business details: the account becomes ACTIVE with its user, organization and tenant (as `completeOnboarding`). */
export async function embeddedComplete(
  prisma: Prisma,
  sessionId: string,
  form: Omit<BusinessDetails, 'logoUrl'>,
  now: Date,
): Promise<CompletedOnboarding> {
  const session = await onboardingSession(prisma, sessionId);
  const details = businessDetails(form);
  const email = session.onboardingEmail;
  const user = session.onboardingUserId
    ? { id: session.onboardingUserId, create: null }
    : session.onboardingPasswordHash && email
      ? { id: newId('User'), create: { email, passwordHash: session.onboardingPasswordHash } }
      : null;
  if (!user) throw new InvalidStateError('Sign in, or sign up and verify the e-mail, first.');
  return completeOnboardingAs(prisma, sessionClaim(session), details, user, now);
}
