// Input rules shared by every domain: bounded text and bounded metadata. Each failure names the
// input path at fault, so a client can point at the field.
import { ValidationError } from './errors.ts';
import type { Prisma } from './generated/prisma/client.ts';

/** Trimmed text of 1..max characters. */
export function requiredText(value: string, max: number, field: string): string {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > max) {
    throw new ValidationError(`${field} must be 1 to ${max} characters.`, [field]);
  }
  return trimmed;
}

/** Trimmed text of at most max characters; empty or absent becomes null. */
export function optionalText(value: string | null | undefined, max: number, field: string): string | null {
  const trimmed = value?.trim() ?? '';
  if (trimmed.length > max) throw new ValidationError(`${field} must be at most ${max} characters.`, [field]);
  return trimmed.length === 0 ? null : trimmed;
}

export const METADATA_MAX_KEYS = 50;
export const METADATA_MAX_BYTES = 8 * 1024;

/** Free-form metadata: an object of at most 50 keys and 8 KiB of JSON, like Stripe's. */
export function validateMetadata(
  value: Record<string, unknown> | null | undefined,
  field: string,
): Prisma.InputJsonObject | undefined {
  if (value === null || value === undefined) return undefined;
  if (Object.keys(value).length > METADATA_MAX_KEYS) {
    throw new ValidationError(`${field} may have at most ${METADATA_MAX_KEYS} keys.`, [field]);
  }
  if (Buffer.byteLength(JSON.stringify(value)) > METADATA_MAX_BYTES) {
    throw new ValidationError(`${field} may be at most ${METADATA_MAX_BYTES} bytes of JSON.`, [field]);
  }
  // It came from JSON (a GraphQL variable or literal), so every value in it is JSON.
  return value as Prisma.InputJsonObject;
}

/** An absolute http(s) URL; the URL scalar accepts other schemes a browser cannot be sent to. */
export function webUrl(value: URL, field: string): string {
  if (value.protocol !== 'https:' && value.protocol !== 'http:') {
    throw new ValidationError(`${field} must be an http or https URL.`, [field]);
  }
  return value.href;
}
