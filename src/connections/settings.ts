// A connection's settings: what it syncs, and where its provider answers. `endpoint` is the base URL
// the verification (and later the sync) calls instead of the provider's public one (an
// S3-compatible store, a regional API, a test stand-in): in production it is held to the rules of
// webhook URLs (https, never into the server's own network), at save time and again at connect time.
import { ValidationError } from '../core/domain-errors.ts';
import type { ProviderType } from '../generated/prisma/enums.ts';
import { checkOutboundUrl, type AddressPolicy } from '../net/address-guard.ts';

export interface ConnectionSettings {
  invoiceSyncEnable: boolean;
  endpoint?: string | undefined;
  bucket?: string | undefined;
  region?: string | undefined;
  forcePathStyle?: boolean | undefined;
}

/** A row's stored settings: the JSON column holds only what checkedSettings wrote. */
export const storedSettings = (row: { settings: unknown }): ConnectionSettings => row.settings as ConnectionSettings;

/** Absent: unchanged; null: back to the default. */
export interface ConnectionSettingsInput {
  invoiceSyncEnable?: boolean | null | undefined;
  endpoint?: URL | null | undefined;
  bucket?: string | null | undefined;
  region?: string | null | undefined;
  forcePathStyle?: boolean | null | undefined;
}

/** S3's bucket naming rules: 3-63 lower-case letters, digits, dots and hyphens, a letter or digit at each end. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** AWS regions (eu-west-3) and the names S3-compatible stores use (auto, garage, us-east-1). */
const REGION = /^[a-z0-9][a-z0-9-]{0,62}$/;
const S3_ONLY = ['bucket', 'region', 'forcePathStyle'] as const;

/** The stored settings after `input`, checked; a field S3 alone takes is refused on another provider. */
export async function checkedSettings(
  providerType: ProviderType,
  input: ConnectionSettingsInput | null | undefined,
  current: ConnectionSettings | undefined,
  policy: AddressPolicy,
): Promise<ConnectionSettings> {
  const settings: ConnectionSettings = { invoiceSyncEnable: false, ...current };
  if (!input) return settings;
  const field = (name: string) => `input.settings.${name}`;
  if (providerType !== 'S3') {
    const misplaced = S3_ONLY.filter((name) => input[name] != null).map(field);
    if (misplaced.length > 0) throw new ValidationError(`${misplaced.join(', ')}: for S3 connections only.`, misplaced);
  }
  if (input.bucket != null && !BUCKET.test(input.bucket)) {
    throw new ValidationError(`${field('bucket')} must be an S3 bucket name (3-63 lower-case letters, digits, dots or hyphens).`, [
      field('bucket'),
    ]);
  }
  if (input.region != null && !REGION.test(input.region)) {
    throw new ValidationError(`${field('region')} must be a region name such as eu-west-3.`, [field('region')]);
  }
  if (input.invoiceSyncEnable != null) settings.invoiceSyncEnable = input.invoiceSyncEnable;
  if (input.endpoint !== undefined)
    settings.endpoint = input.endpoint ? await checkOutboundUrl(input.endpoint, policy, field('endpoint')) : undefined;
  if (input.bucket !== undefined) settings.bucket = input.bucket ?? undefined;
  if (input.region !== undefined) settings.region = input.region ?? undefined;
  if (input.forcePathStyle !== undefined) settings.forcePathStyle = input.forcePathStyle ?? undefined;
  return JSON.parse(JSON.stringify(settings)) as ConnectionSettings;
}
