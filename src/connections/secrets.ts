// Provider secrets: the member of the `secrets` input each provider takes, the fields it needs
// (providers/<name>.ts), and the masked hints the API shows instead of the values. Error messages
// name fields, never values.
import { ValidationError } from '../core/domain-errors.ts';
import type { ProviderType } from '../generated/prisma/enums.ts';
import { METADATA_MAX_BYTES } from '../core/validation.ts';
import { providers } from './providers/registry.ts';

/** `secrets.<member> { field: value }`, one member per provider with fields of its own, or `secrets.generic { data }`. */
export type SecretsInput = Record<string, Record<string, unknown> | null | undefined>;

/** The member every provider without fields of its own takes: `secrets.generic { data }`. */
export const GENERIC_MEMBER = 'generic';

export type StoredSecrets = Record<string, unknown>;

/** Where the secrets will be sent: to a settings.endpoint of the tenant's choosing, or to the provider's own. */
export interface SecretsDestination {
  endpoint?: string | null | undefined;
}

/**
 * The secrets of the member matching the provider, checked, laid over `stored` (none on creation):
 * the fields given replace their stored values, the others stay. The provider's required fields
 * must be present afterwards. Blank fields count as not given. With a settings.endpoint, a field
 * is checked against the store's own format when the provider has one (patternWithEndpoint).
 */
export function checkedSecrets(
  providerType: ProviderType,
  secrets: SecretsInput,
  stored: StoredSecrets = {},
  destination: SecretsDestination = {},
): StoredSecrets {
  const shape = providers[providerType].secrets;
  const member = shape.kind === 'fields' ? shape.member : GENERIC_MEMBER;
  const given = Object.entries(secrets).filter(([, value]) => value != null);
  const value = secrets[member];
  if (given.length !== 1 || !value) {
    throw new ValidationError(`A ${providerType} connection takes its secrets in secrets.${member}.`, ['input.secrets']);
  }
  if (shape.kind === 'generic') {
    const data = (value as { data?: Record<string, unknown> | null }).data;
    const merged = { ...stored, ...data };
    if (!data || Object.keys(data).length === 0 || Buffer.byteLength(JSON.stringify(merged)) > METADATA_MAX_BYTES) {
      throw new ValidationError(
        `secrets.generic.data must be a non-empty object of at most ${METADATA_MAX_BYTES} bytes (with the stored fields).`,
        ['input.secrets.generic.data'],
      );
    }
    return merged;
  }
  const changed: StoredSecrets = {};
  const malformed: string[] = [];
  for (const [field, raw] of Object.entries(value as Record<string, string | null | undefined>)) {
    const text = raw?.trim() ?? '';
    if (text === '') continue;
    const spec = Object.hasOwn(shape.fields, field) ? shape.fields[field] : undefined;
    const pattern = destination.endpoint ? (spec?.patternWithEndpoint ?? spec?.pattern) : spec?.pattern;
    if (!pattern?.test(text)) malformed.push(`input.secrets.${member}.${field}`);
    changed[field] = text;
  }
  const merged = { ...stored, ...changed };
  const required = Object.keys(shape.fields).filter((field) => shape.fields[field]?.required);
  const missing = required.filter((field) => typeof merged[field] !== 'string').map((field) => `input.secrets.${member}.${field}`);
  const faults = [...missing, ...malformed];
  if (faults.length > 0) throw new ValidationError(`Missing or malformed secret fields: ${faults.join(', ')}.`, faults);
  return merged;
}

/**
 * The kinds of key the providers name in public, e.g. Stripe's `sk_live_`: they say which key it is
 * and hide nothing, so a hint may show them. Anything else at the start of a value is secret.
 */
const PUBLIC_PREFIX = new RegExp(
  `^(?:${Object.values(providers)
    .flatMap(({ publicPrefix }) => (publicPrefix ? [publicPrefix.source.replace(/^\^/, '')] : []))
    .join('|')})`,
);
/** A hint shows at most this many characters of the secret part... */
export const HINT_VISIBLE_CHARACTERS = 4;
/** ...and only of a secret part at least this long: 12 characters stay unknown. */
export const HINT_MIN_SECRET_LENGTH = 16;

/** `sk_live_…4242`: the public prefix, and the last 4 characters of a secret part of 16 or more. */
function mask(value: string): string {
  const prefix = PUBLIC_PREFIX.exec(value)?.[0] ?? '';
  const secret = value.slice(prefix.length);
  const tail = secret.length >= HINT_MIN_SECRET_LENGTH ? secret.slice(-HINT_VISIBLE_CHARACTERS) : '';
  return `${prefix}…${tail}`;
}

export function secretHints(secrets: StoredSecrets): Record<string, string> {
  return Object.fromEntries(Object.entries(secrets).map(([field, value]) => [field, typeof value === 'string' ? mask(value) : '…']));
}
