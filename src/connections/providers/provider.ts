// What a provider is to connections: the one shape every providers/<name>.ts fills in, and that
// secrets.ts, settings.ts, verification.ts and the GraphQL schema read (through registry.ts) instead
// of naming providers themselves.
import type { ProviderSettingName } from '../settings.ts';
import type { ProviderCheck } from './answers.ts';

/** One field of a provider's own secrets member: a string, checked against its pattern. */
export interface SecretField {
  /** A given value that does not match is malformed (the error names the field, never the value). */
  pattern: RegExp;
  /** Must be stored after every create and update (the GraphQL field's description says "Required"). */
  required?: boolean;
  /** What a value looks like, for the GraphQL input field's description: `pk_live_… or pk_test_…`. */
  format?: string;
  /**
   * The pattern instead when settings.endpoint points at another store speaking the provider's API
   * (an S3-compatible one): its keys are its own, not the provider's (MinIO's `minioadmin`).
   */
  patternWithEndpoint?: RegExp;
}

/**
 * Where a provider takes its secrets in the `secrets` input: a member of its own whose fields are
 * strings (`secrets.stripe { secretKey … }`), or the shared `secrets.generic { data }`, a JSON object
 * the provider's check reads its fields from.
 */
export type ProviderSecrets =
  | { kind: 'fields'; member: string; inputTypeName: string; fields: Record<string, SecretField> }
  | { kind: 'generic' };

export interface ProviderSetting {
  /** A given value that does not match is refused with `input.settings.<name> ` and this message. */
  format?: { pattern: RegExp; message: string };
}

/** How the connection link's page asks for one value (src/web/connection-link-pages.ts). */
export interface FormField {
  label: string;
  /** A sentence under the field: where the person finds the value. */
  help: string;
  /** An identifier, shown as it is typed (an access key id); anything else is typed hidden. */
  shown?: boolean;
}

/** The settings the connection link's page may ask for (endpoint: an S3-compatible store's URL). */
export type FormSettingName = 'endpoint' | ProviderSettingName;

/**
 * What the connection link's page shows, in order: the secrets' fields by their name in the
 * provider's member (or in `generic.data`), then the settings it asks for. One source for the page.
 */
export interface ProviderForm {
  secrets: Record<string, FormField>;
  settings?: Partial<Record<FormSettingName, FormField>>;
}

export interface Provider {
  /** The provider's name in `lastError` ("Stripe answered HTTP 401") and in messages. */
  label: string;
  secrets: ProviderSecrets;
  /**
   * The prefixes of its values that the provider names in public (Stripe's `sk_live_`): they say
   * which key it is and hide nothing, so a secret hint may show them.
   */
  publicPrefix?: RegExp;
  /** Its public base URL, used when settings.endpoint is not set. */
  endpoint: string;
  /** The settings beyond invoiceSyncEnable and endpoint that it takes; any other one is refused. */
  settings?: Partial<Record<ProviderSettingName, ProviderSetting>>;
  /** The shape of the error codes it documents: a code of that shape may be quoted in lastError; null quotes none. */
  errorCode: RegExp | null;
  /**
   * Loads what the check needs (its SDK) on the first check, never at start: about 2 s and 70 MB for
   * the three SDKs. Verification awaits it before the check's deadline starts.
   */
  loadSdk?: () => Promise<unknown>;
  /** Checks the stored credentials against the provider. */
  check: ProviderCheck;
  form: ProviderForm;
}
