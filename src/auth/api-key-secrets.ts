// What an API key looks like: `mk_live_` (production tenant) or `mk_test_` (sandbox tenant)
// followed by 40 base62 characters (~238 bits from a CSPRNG). Only its SHA-256 is stored.
import { randomBase62, sha256Hex } from '../crypto/tokens.ts';
import type { TenantEnvironment } from '../generated/prisma/enums.ts';

const RANDOM_LENGTH = 40;
const KEY_PATTERN = new RegExp(`^mk_(live|test)_[0-9A-Za-z]{${RANDOM_LENGTH}}$`);
/** How much of a key is kept to show which key it is: the mode and four random characters. */
const DISPLAY_PREFIX_LENGTH = 'mk_live_'.length + 4;

export interface IssuedSecret {
  secret: string;
  prefix: string;
  secretHash: string;
}

export function issueApiKeySecret(environment: TenantEnvironment): IssuedSecret {
  const mode = environment === 'PRODUCTION' ? 'live' : 'test';
  const secret = `mk_${mode}_${randomBase62(RANDOM_LENGTH)}`;
  return { secret, prefix: secret.slice(0, DISPLAY_PREFIX_LENGTH), secretHash: sha256Hex(secret) };
}

/** The stored hash for a presented key, or undefined when it cannot be one of ours. */
export function hashPresentedApiKey(presented: string): string | undefined {
  return KEY_PATTERN.test(presented) ? sha256Hex(presented) : undefined;
}
