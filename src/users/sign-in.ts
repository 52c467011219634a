// Who a person is, from an e-mail and a password. Used by onboarding (GraphQL and the hosted page),
// the OAuth consent page and the admin bootstrap of an organization's owner.
import type { Prisma } from '../db/database.ts';
import { InvalidCredentialsError } from '../errors.ts';
import type { User } from '../generated/prisma/client.ts';
import { newId } from '../ids.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

/** A user to act as: an existing one, or a new one to create in the caller's transaction. */
export interface PreparedUser {
  id: string;
  create: { email: string; passwordHash: string } | null;
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/**
 * The existing user with this e-mail and password, or null. When there is no such user a hash is
 * still computed, so the answer takes as long either way and does not tell which e-mails exist.
 */
export async function signIn(prisma: Prisma, email: string, password: string): Promise<User | null> {
  const user = await prisma.user.findUnique({ where: { email: normalizeEmail(email) } });
  if (!user) {
    await hashPassword(password);
    return null;
  }
  return (await verifyPassword(password, user.passwordHash)) ? user : null;
}

/**
 * Signs in an existing user (the password must match) or prepares a new one. The slow, memory-hard
 * hashing happens here, before any transaction, so no row lock is held while it runs.
 */
export async function signInOrPrepareUser(prisma: Prisma, email: string, password: string): Promise<PreparedUser> {
  const normalized = normalizeEmail(email);
  const existing = await prisma.user.findUnique({ where: { email: normalized } });
  if (existing) {
    if (!(await verifyPassword(password, existing.passwordHash))) {
      throw new InvalidCredentialsError('A user with this email exists and the password does not match.');
    }
    return { id: existing.id, create: null };
  }
  return { id: newId('User'), create: { email: normalized, passwordHash: await hashPassword(password) } };
}
