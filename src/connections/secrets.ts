// Provider secrets: which member of the `secrets` input each provider takes, the fields it needs,
// and the masked hints the API shows instead of the values. Error messages name fields, never values.
import { ValidationError } from '../core/domain-errors.ts';
import type { ProviderType } from '../generated/prisma/enums.ts';
import { METADATA_MAX_BYTES } from '../core/validation.ts';

export interface SecretsInput {
  stripe?: { accountId?: string | null; publishableKey?: string | null; secretKey?: string | null; webhookSecret?: string | null } | null;
  s3?: { awsAccessKeyId?: string | null; awsSecretAccessKey?: string | null; awsSessionToken?: string | null } | null;
  hubspot?: { accessToken?: string | null; appId?: string | null; clientSecret?: string | null } | null;
  generic?: { data?: Record<string, unknown> | null } | null;
}

type Member = keyof SecretsInput;

/** What a provider's secrets look like: the input member, its required fields, and a pattern per field. */
const providerSecrets: Record<ProviderType, { member: Member; required: string[]; patterns: Record<string, RegExp> }> = {
  STRIPE: {
    member: 'stripe',
    required: ['publishableKey', 'secretKey'],
    patterns: {
      accountId: /^acct_[A-Za-z0-9]+$/,
      publishableKey: /^pk_(live|test)_[A-Za-z0-9]+$/,
      secretKey: /^(sk|rk)_(live|test)_[A-Za-z0-9]+$/,
      webhookSecret: /^whsec_[A-Za-z0-9+/=]+$/,
    },
  },
  S3: {
    member: 's3',
    required: ['awsAccessKeyId', 'awsSecretAccessKey'],
    patterns: { awsAccessKeyId: /^[A-Z0-9]{16,128}$/, awsSecretAccessKey: /^\S{16,128}$/, awsSessionToken: /^\S{16,4096}$/ },
  },
  HUBSPOT: {
    member: 'hubspot',
    required: ['accessToken'],
    patterns: { accessToken: /^\S{8,1024}$/, appId: /^\d{1,20}$/, clientSecret: /^\S{8,256}$/ },
  },
  FLEXPRICE: { member: 'generic', required: ['data'], patterns: {} },
};

export type StoredSecrets = Record<string, unknown>;

/**
 * The secrets of the member matching the provider, checked, laid over `stored` (none on creation):
 * the fields given replace their stored values, the others stay. The provider's required fields
 * must be present afterwards. Blank fields count as not given.
 */
export function checkedSecrets(providerType: ProviderType, secrets: SecretsInput, stored: StoredSecrets = {}): StoredSecrets {
  const { member, required, patterns } = providerSecrets[providerType];
  const given = Object.entries(secrets).filter(([, value]) => value != null);
  const value = secrets[member];
  if (given.length !== 1 || !value) {
    throw new ValidationError(`A ${providerType} connection takes its secrets in secrets.${member}.`, ['input.secrets']);
  }
  if (member === 'generic') {
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
    if (!patterns[field]?.test(text)) malformed.push(`input.secrets.${member}.${field}`);
    changed[field] = text;
  }
  const merged = { ...stored, ...changed };
  const missing = required.filter((field) => typeof merged[field] !== 'string').map((field) => `input.secrets.${member}.${field}`);
  const faults = [...missing, ...malformed];
  if (faults.length > 0) throw new ValidationError(`Missing or malformed secret fields: ${faults.join(', ')}.`, faults);
  return merged;
}

/**
 * The kinds of key a provider names in public, e.g. Stripe's `sk_live_`: they say which key it is and
 * hide nothing, so a hint may show them. Anything else at the start of a value is secret.
 */
const PUBLIC_PREFIX = /^(?:(?:sk|rk|pk)_(?:live|test)_|whsec_|acct_)/;
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
