// The first step of every sign-up, on the hosted page and in the embedded onboarding component: the
// e-mail given, normalized, counted against the sign-up e-mail limits (per address and platform, per
// link or session, per client), and whether a user has it already. Whichever answer, the caller does
// the same work and answers the same, so no one learns which addresses have accounts.
import type { Prisma } from '../../db/database.ts';
import { emailAddress } from '../../core/validation.ts';
import { normalizeEmail } from '../../auth/sign-in.ts';
import type { SignInSource } from './service.ts';

export interface SignUpPlace {
  /** The link, or the account session, the sign-up is asked on: its e-mails are counted per this id. */
  linkId: string;
  platformOrganizationId: string;
}

export async function acceptSignUpEmail(
  prisma: Prisma,
  source: SignInSource,
  place: SignUpPlace,
  given: string,
  field: string,
): Promise<{ email: string; known: boolean }> {
  const email = normalizeEmail(emailAddress(given.trim(), field));
  await source.limits.takeSignUpEmail({ email, client: source.client, ...place });
  const known = await prisma.user.findUnique({ where: { email }, select: { id: true } });
  return { email, known: known !== null };
}
