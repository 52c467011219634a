// Who a person is, from an e-mail and a password: the one door every sign-in goes through (the
// OAuth consent page, the hosted onboarding page, GraphQL `completeOnboarding`), so every one is
// throttled (src/auth/rate-limits.ts) and hashed within the process's bound (./passwords.ts).
import { RateLimitExceededError, type RateLimits, type SignInKeys } from './rate-limits.ts';
import type { Prisma } from '../db/database.ts';
import { InvalidCredentialsError } from '../core/domain-errors.ts';
import type { User } from '../generated/prisma/client.ts';
import { newId } from '../core/ids.ts';
import { hashPassword, passwordCheckFor, PasswordHashingBusyError, verifyPassword } from './passwords.ts';

/** A user to act as: an existing one, or a new one to create in the caller's transaction. */
export interface PreparedUser {
  id: string;
  create: { email: string; passwordHash: string } | null;
}

/** The one answer for an unknown e-mail and a wrong password, wherever a person signs in. */
export const INVALID_CREDENTIALS_MESSAGE = 'The e-mail or the password is not right.';

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

export interface SignInRequest extends Omit<SignInKeys, 'email'> {
  email: string;
  password: string;
}

/**
 * The existing user with this e-mail and password, or null. The attempt is counted first, so a
 * guesser over a limit is refused (RateLimitExceededError) before any hashing. When there is no
 * such user a hash is still computed, so the answer takes as long either way and does not tell
 * which e-mails exist. May throw PasswordHashingBusyError (the attempt then does not count).
 */
export async function signIn(prisma: Prisma, limits: RateLimits, request: SignInRequest): Promise<User | null> {
  const email = normalizeEmail(request.email);
  const attempt = await limits.signInAttempt({ email, client: request.client, linkId: request.linkId });
  const checked = passwordCheckFor(request.client);
  if (!checked) {
    await attempt.notChecked();
    return limits.refuse(1, 'This address has passwords being checked already: retry in 1 s.');
  }
  try {
    const user = await prisma.user.findUnique({ where: { email } });
    if (!user) {
      await hashPassword(request.password);
      return null;
    }
    if (!(await verifyPassword(request.password, user.passwordHash))) return null;
    await attempt.succeeded();
    return user;
  } catch (error) {
    if (error instanceof PasswordHashingBusyError) await attempt.notChecked();
    throw error;
  } finally {
    checked();
  }
}

/**
 * The admin bootstrap's owner (behind the admin secret, so not throttled; the admin vouches for
 * the e-mail): an existing user must give the right password, a new one is prepared. The slow
 * hashing happens here, before any transaction, so no row lock is held while it runs.
 */
export async function signInOrPrepareUser(prisma: Prisma, email: string, password: string): Promise<PreparedUser> {
  const normalized = normalizeEmail(email);
  const existing = await prisma.user.findUnique({ where: { email: normalized } });
  if (existing) {
    if (!(await verifyPassword(password, existing.passwordHash))) throw new InvalidCredentialsError(INVALID_CREDENTIALS_MESSAGE);
    return { id: existing.id, create: null };
  }
  return { id: newId('User'), create: { email: normalized, passwordHash: await hashPassword(password) } };
}

/** A sign-in that could not be tried now, as a page answers it. */
export interface SignInRefusal {
  status: 429 | 503;
  retryAfterSeconds: number;
  message: string;
}

export function signInRefusalOf(error: unknown): SignInRefusal | null {
  if (error instanceof RateLimitExceededError) return { status: 429, retryAfterSeconds: error.retryAfterSeconds, message: error.message };
  if (error instanceof PasswordHashingBusyError) return { status: 503, retryAfterSeconds: 1, message: error.message };
  return null;
}

/** The form page showing the refusal's message, answered with its status and Retry-After. */
export function refusedSignInPage(refusal: SignInRefusal, page: Response): Response {
  const headers = new Headers(page.headers);
  headers.set('retry-after', String(refusal.retryAfterSeconds));
  return new Response(page.body, { status: refusal.status, headers });
}
