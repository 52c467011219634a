// Input rules shared by every domain: bounded text and bounded metadata. Each failure names the
// input path at fault, so a client can point at the field.
import type { GraphQLScalarType } from 'graphql';
import { CountryCodeResolver, EmailAddressResolver } from 'graphql-scalars';
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

/** Parses with a graphql-scalars scalar, turning its refusal into a VALIDATION error on the field. */
function parsedBy(scalar: GraphQLScalarType, what: string) {
  return (value: string, field: string): string => {
    try {
      return String(scalar.parseValue(value.trim()));
    } catch {
      throw new ValidationError(`${field} must be ${what}.`, [field]);
    }
  };
}

export const emailAddress = parsedBy(EmailAddressResolver, 'an email address');
/** E.164: `+`, a country code that does not start with 0, 7 to 15 digits in all (stricter than the scalar). */
export function phoneNumber(value: string, field: string): string {
  const compact = value.trim();
  if (!/^\+[1-9]\d{6,14}$/.test(compact)) {
    throw new ValidationError(`${field} must be a phone number in E.164 form, e.g. +14155550123.`, [field]);
  }
  return compact;
}
/** ISO 3166-1 alpha-2, upper case. */
export const countryCode = (value: string, field: string) => parsedBy(CountryCodeResolver, 'an ISO 3166-1 alpha-2 country code')(value.toUpperCase(), field);

/** Applies a check to an optional value: absent stays absent, present must pass. */
export function optional<T>(check: (value: string, field: string) => T) {
  return (value: string | null | undefined, field: string): T | null => (value == null || value.trim() === '' ? null : check(value, field));
}
