// Input rules shared by every domain: bounded text and bounded metadata. Each failure names the
// input path at fault, so a client can point at the field.
import type { GraphQLScalarType } from 'graphql';
import { CountryCodeResolver, EmailAddressResolver } from 'graphql-scalars';
import { ValidationError } from './domain-errors.ts';
import type { Prisma } from '../generated/prisma/client.ts';

/** PostgreSQL refuses this character in text and JSON: it is never a valid input anywhere. */
const NUL = '\u0000';

function refuseNul(value: string, field: string): void {
  if (value.includes(NUL)) throw new ValidationError(`${field} must not contain NUL characters.`, [field]);
}

/** Trimmed text of 1..max characters. */
export function requiredText(value: string, max: number, field: string): string {
  refuseNul(value, field);
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > max) {
    throw new ValidationError(`${field} must be 1 to ${max} characters.`, [field]);
  }
  return trimmed;
}

/** Trimmed text of at most max characters; empty or absent becomes null. */
export function optionalText(value: string | null | undefined, max: number, field: string): string | null {
  if (value != null) refuseNul(value, field);
  const trimmed = value?.trim() ?? '';
  if (trimmed.length > max) throw new ValidationError(`${field} must be at most ${max} characters.`, [field]);
  return trimmed.length === 0 ? null : trimmed;
}

/**
 * Characters a name shown to people must not hold: control characters (C0 including CR, LF and ESC,
 * DEL, C1), which rewrite a terminal or a log line, and the bidirectional embeddings, overrides and
 * isolates (U+202A-202E, U+2066-2069), which make `Acme\u202Egnp.exe` read as `Acmeexe.png`.
 */
const UNDISPLAYABLE = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;

function refuseUndisplayable(value: string, field: string): void {
  if (UNDISPLAYABLE.test(value)) {
    throw new ValidationError(`${field} must not contain control characters or bidirectional overrides.`, [field]);
  }
}

/** A name shown to people (an organization, an account, a connection, a key): text with nothing that disguises it. */
export function displayedName(value: string, max: number, field: string): string {
  refuseUndisplayable(value, field);
  return requiredText(value, max, field);
}

/** An optional name or identifier shown to people; empty or absent becomes null. */
export function optionalDisplayedName(value: string | null | undefined, max: number, field: string): string | null {
  if (value != null) refuseUndisplayable(value, field);
  return optionalText(value, max, field);
}

/**
 * The paths of the strings under `value` (an argument after coercion: input objects, lists, JSON)
 * that hold a NUL, e.g. `input.metadata.note` or `ids[1]`. An object key with a NUL names its object.
 * Iterative, so a deeply nested JSON value cannot exhaust the stack.
 */
export function pathsWithNul(value: unknown, path: string): string[] {
  const found: string[] = [];
  const pending: [unknown, string][] = [[value, path]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [current, at] = next;
    if (typeof current === 'string') {
      if (current.includes(NUL)) found.push(at);
    } else if (Array.isArray(current)) {
      for (const [index, item] of current.entries()) pending.push([item, `${at}[${index}]`]);
    } else if (isPlainObject(current)) {
      const entries = Object.entries(current);
      if (entries.some(([key]) => key.includes(NUL))) found.push(at);
      for (const [key, item] of entries) if (!key.includes(NUL)) pending.push([item, `${at}.${key}`]);
    }
  }
  return found.sort();
}

/** Coerced input objects have a null prototype, JSON objects Object's; a Date or URL is neither. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || prototype === Object.prototype;
}

export const METADATA_MAX_KEYS = 50;
export const METADATA_MAX_BYTES = 8 * 1024;
export const METADATA_MAX_DEPTH = 20;

/**
 * How deep a JSON value nests, walked without recursion and stopping past `limit`: a value nested
 * 400,000 levels fits in a 1 MB body and would overflow the stack of JSON.stringify.
 */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 1 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (next.value === null || typeof next.value !== 'object') continue;
    if (next.depth > limit) return true;
    for (const child of Object.values(next.value)) pending.push({ value: child, depth: next.depth + 1 });
  }
  return false;
}

/** Free-form metadata: an object of at most 50 keys and 8 KiB of JSON, like Stripe's. */
export function validateMetadata(value: Record<string, unknown> | null | undefined, field: string): Prisma.InputJsonObject | undefined {
  if (value === null || value === undefined) return undefined;
  if (Object.keys(value).length > METADATA_MAX_KEYS) {
    throw new ValidationError(`${field} may have at most ${METADATA_MAX_KEYS} keys.`, [field]);
  }
  if (nestsDeeperThan(value, METADATA_MAX_DEPTH)) {
    throw new ValidationError(`${field} may nest at most ${METADATA_MAX_DEPTH} levels.`, [field]);
  }
  if (Buffer.byteLength(JSON.stringify(value)) > METADATA_MAX_BYTES) {
    throw new ValidationError(`${field} may be at most ${METADATA_MAX_BYTES} bytes of JSON.`, [field]);
  }
  // It came from JSON (a GraphQL variable or literal), so every value in it is JSON.
  return value as Prisma.InputJsonObject;
}

/** Longer URLs are refused by browsers and proxies in a Location header: the user would be stranded. */
export const WEB_URL_MAX_LENGTH = 2048;

/** An absolute http(s) URL; the URL scalar accepts other schemes a browser cannot be sent to. */
export function webUrl(value: URL, field: string): string {
  if (value.protocol !== 'https:' && value.protocol !== 'http:') {
    throw new ValidationError(`${field} must be an http or https URL.`, [field]);
  }
  if (value.href.length > WEB_URL_MAX_LENGTH) {
    throw new ValidationError(`${field} may be at most ${WEB_URL_MAX_LENGTH} characters.`, [field]);
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
export const countryCode = (value: string, field: string) =>
  parsedBy(CountryCodeResolver, 'an ISO 3166-1 alpha-2 country code')(value.toUpperCase(), field);

/** Applies a check to an optional value: absent stays absent, present must pass. */
export function optional<T>(check: (value: string, field: string) => T) {
  return (value: string | null | undefined, field: string): T | null => (value == null || value.trim() === '' ? null : check(value, field));
}
