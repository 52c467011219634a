// What an account session's client secret looks like: `acs_secret_` and 40 base62 characters
// (~238 bits from a CSPRNG), shown once when the platform mints it. Only its SHA-256 is stored.
import { randomBase62, sha256Hex } from '../crypto/tokens.ts';

const RANDOM_LENGTH = 40;
export const SESSION_SECRET_PREFIX = 'acs_secret_';
const SECRET_PATTERN = new RegExp(`^${SESSION_SECRET_PREFIX}[0-9A-Za-z]{${RANDOM_LENGTH}}$`);

export function issueSessionSecret(): { secret: string; secretHash: string } {
  const secret = `${SESSION_SECRET_PREFIX}${randomBase62(RANDOM_LENGTH)}`;
  return { secret, secretHash: sha256Hex(secret) };
}

/** A bearer credential that claims to be a session's: it is judged as one, never as an API key. */
export const claimsToBeSession = (presented: string) => presented.startsWith(SESSION_SECRET_PREFIX);

/** The stored hash for a presented secret, or undefined when it cannot be one of ours. */
export function hashPresentedSessionSecret(presented: string): string | undefined {
  return SECRET_PATTERN.test(presented) ? sha256Hex(presented) : undefined;
}
