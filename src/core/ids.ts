// Every object id is `<prefix>_<random>`: opaque, globally unique, and also the Relay global id,
// because the prefix names the type.
import { randomBase62 } from '../crypto/tokens.ts';

export const idPrefixes = {
  Organization: 'org',
  Tenant: 'ten',
  ApiKey: 'key',
  User: 'usr',
  InvoicingEntity: 'ie',
  ConnectedAccount: 'cacc',
  OnboardingLink: 'olink',
  ConnectionLink: 'clink',
  Event: 'evt',
  WebhookEndpoint: 'we',
  WebhookDelivery: 'whd',
  SubAccount: 'sacc',
  PermissiblePurpose: 'ppur',
  AccountPackage: 'apkg',
  Connection: 'conn',
  OAuthAuthorization: 'oauth',
  OnboardingSession: 'osess',
  OutboxEmail: 'mail',
  AccountSession: 'acs',
} as const;

export type IdentifiedType = keyof typeof idPrefixes;

const typeByPrefix = new Map<string, IdentifiedType>(Object.entries(idPrefixes).map(([type, prefix]) => [prefix, type as IdentifiedType]));

export function newId(type: IdentifiedType): string {
  return `${idPrefixes[type]}_${randomBase62(22)}`;
}

/** `<prefix>_<base62>`: anything else was never one of our ids (and needs no lookup to say so). */
const ID_SHAPE = /^([a-z]+)_[A-Za-z0-9]{1,64}$/;

/** The type an id names, or undefined for anything that is not one of our ids. */
export function typeOfId(id: string): IdentifiedType | undefined {
  const prefix = ID_SHAPE.exec(id)?.[1];
  return prefix === undefined ? undefined : typeByPrefix.get(prefix);
}
