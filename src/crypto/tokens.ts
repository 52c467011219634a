// Random secrets and their stored form. Secrets handed out are high-entropy, so a fast hash
// (SHA-256) is enough to store them: nobody can guess their way through 2^200 candidates.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** The largest multiple of 62 that fits a byte; bytes above it are dropped so every digit is equally likely. */
const UNBIASED_LIMIT = 248;

/** `length` characters from a CSPRNG, each worth log2(62) ≈ 5.95 bits. */
export function randomBase62(length: number): string {
  let result = '';
  while (result.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte >= UNBIASED_LIMIT) continue;
      result += BASE62[byte % 62];
      if (result.length === length) break;
    }
  }
  return result;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Compares two secrets without leaking, through timing, how much of them matched. */
export function secretsEqual(given: string, expected: string): boolean {
  const givenDigest = createHash('sha256').update(given).digest();
  const expectedDigest = createHash('sha256').update(expected).digest();
  return timingSafeEqual(givenDigest, expectedDigest);
}

/** A hosted page's link token: 44 base62 characters, 44 × log2(62) ≈ 262 bits. */
const LINK_TOKEN_LENGTH = 44;
const LINK_TOKEN_PATTERN = /^[0-9A-Za-z]{44}$/;

export const newLinkToken = () => randomBase62(LINK_TOKEN_LENGTH);

/** The stored hash of a presented link token, or null when it cannot be one (no lookup needed). */
export const linkTokenHash = (token: string): string | null => (LINK_TOKEN_PATTERN.test(token) ? sha256Hex(token) : null);
