// A connection's settings: what it syncs, and where its provider answers. `endpoint` is the base URL
// the verification (and later the sync) calls instead of the provider's public one (an
// S3-compatible store, a regional API, a test stand-in): in production it is held to the rules of
// webhook URLs (https, never into the server's own network), at save time and again at connect time.
import { ValidationError } from '../core/domain-errors.ts';
import type { ProviderType } from '../generated/prisma/enums.ts';
import { checkOutboundUrl, type AddressPolicy } from '../net/address-guard.ts';
import { providers } from './providers/registry.ts';

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

/** The settings only some providers take (each provider says which, providers/<name>.ts), in the order they are checked. */
export const PROVIDER_SETTINGS = ['bucket', 'region', 'forcePathStyle'] as const;
export type ProviderSettingName = (typeof PROVIDER_SETTINGS)[number];

/** `S3`, or `S3 or X`: the providers that take one of `names`. */
function providersTaking(names: readonly ProviderSettingName[]): string {
  const labels = Object.values(providers)
    .filter((provider) => names.some((name) => provider.settings?.[name]))
    .map((provider) => provider.label);
  return labels.join(' or ');
}

/** The stored settings after `input`, checked; a setting the provider does not take is refused. */
export async function checkedSettings(
  providerType: ProviderType,
  input: ConnectionSettingsInput | null | undefined,
  current: ConnectionSettings | undefined,
  policy: AddressPolicy,
): Promise<ConnectionSettings> {
  const settings: ConnectionSettings = { invoiceSyncEnable: false, ...current };
  if (!input) return settings;
  const field = (name: string) => `input.settings.${name}`;
  const taken = providers[providerType].settings ?? {};
  const misplacedNames = PROVIDER_SETTINGS.filter((name) => input[name] != null && !taken[name]);
  if (misplacedNames.length > 0) {
    const misplaced = misplacedNames.map(field);
    throw new ValidationError(`${misplaced.join(', ')}: for ${providersTaking(misplacedNames)} connections only.`, misplaced);
  }
  for (const name of PROVIDER_SETTINGS) {
    const format = taken[name]?.format;
    const value = input[name];
    if (format && typeof value === 'string' && !format.pattern.test(value)) {
      throw new ValidationError(`${field(name)} ${format.message}`, [field(name)]);
    }
  }
  if (input.invoiceSyncEnable != null) settings.invoiceSyncEnable = input.invoiceSyncEnable;
  if (input.endpoint !== undefined)
    settings.endpoint = input.endpoint ? await checkOutboundUrl(input.endpoint, policy, field('endpoint')) : undefined;
  if (input.bucket !== undefined) settings.bucket = input.bucket ?? undefined;
  if (input.region !== undefined) settings.region = input.region ?? undefined;
  if (input.forcePathStyle !== undefined) settings.forcePathStyle = input.forcePathStyle ?? undefined;
  return JSON.parse(JSON.stringify(settings)) as ConnectionSettings;
}
