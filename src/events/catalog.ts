// The event catalog (`webhookEventTypes`): every event type with the JSON Schema of its
// `data.object` and an example event, made from the shapes that build `data.object` itself
// (public-objects.ts), so that a receiver can generate its types from what is really sent.
import { eventTypes } from './event-types.ts';
import { exampleOf, jsonObject, type JsonSchema } from './json-schema.ts';
import {
  accountPackageShape,
  apiKeyShape,
  connectedAccountShape,
  connectionShape,
  permissiblePurposeShape,
  subAccountShape,
  tenantShape,
  webhookEndpointShape,
  type ObjectShape,
} from './public-objects.ts';

/**
 * The object an event type is about, by the longest prefix of its name that is listed: a new type
 * under a known prefix needs nothing here (and a test fails for a type no prefix covers).
 */
const shapeByPrefix: Record<string, ObjectShape<never>> = {
  connected_account: connectedAccountShape,
  sub_account: subAccountShape,
  'sub_account.api_key': apiKeyShape,
  permissible_purpose: permissiblePurposeShape,
  account_package: accountPackageShape,
  connection: connectionShape,
  tenant: tenantShape,
  webhook_endpoint: webhookEndpointShape,
};

/** Fields an event type shows beside its object's own (the requirements it recomputed). */
const extraFields: Record<string, Record<string, JsonSchema>> = {
  'connected_account.requirements_updated': {
    requirements: { ...jsonObject, description: "The account's requirements after the change." },
  },
};

/** What each type means; a type without a line here gets one made from its name. */
const descriptions: Record<string, string> = {
  'connected_account.created': 'A connected account was created (pending until onboarding or consent).',
  'connected_account.updated': 'A connected account changed (metadata, customer id, business details).',
  'connected_account.onboarding_link.created': 'An onboarding link was issued for a connected account.',
  'connected_account.update_link.created': 'An account update link was issued for a connected account.',
  'connected_account.requirements_updated': "A connected account's requirements or their deadlines changed.",
  'connected_account.session.created': 'An account session (a browser credential for a platform page) was created for a connected account.',
  'connected_account.session.revoked': 'An account session of a connected account was revoked.',
  'connected_account.activated': 'A connected account completed onboarding or gave its consent.',
  'connected_account.suspended': 'A connected account was suspended by its platform.',
  'connected_account.reactivated': 'A suspended connected account was reactivated.',
  'connected_account.revoked': 'A connected account was revoked by its platform.',
  'connected_account.deauthorized': 'The connected organization disconnected the platform.',
  'sub_account.created': 'A sub-account was created.',
  'sub_account.updated': 'A sub-account changed (profile, purposes, packages).',
  'sub_account.deactivated': 'A sub-account was deactivated: its keys stop working.',
  'sub_account.reactivated': 'A deactivated sub-account was reactivated.',
  'sub_account.api_key.created': "A key of a sub-account's tenant was created.",
  'sub_account.api_key.revoked': "A key of a sub-account's tenant was revoked.",
  'permissible_purpose.updated': 'A permissible purpose was created or changed.',
  'permissible_purpose.archived': 'A permissible purpose was archived.',
  'account_package.updated': 'An account package was created or changed.',
  'account_package.archived': 'An account package was archived.',
  'connection.created': 'A connection to a provider was created.',
  'connection.updated': 'A connection changed (settings, secrets, status).',
  'connection.archived': 'A connection was archived.',
  'connection.deleted': 'A connection was deleted.',
  'connection.verification_failed': "The provider refused a connection's credentials.",
  'connection.verification_succeeded': "The provider accepted a connection's credentials.",
  'connection.health_changed': "A connection's health changed (a check passed or failed).",
  'tenant.created': 'A tenant (production or sandbox) was created.',
  'webhook_endpoint.created': 'A webhook endpoint was created: the first event it receives.',
  'webhook_endpoint.updated': 'A webhook endpoint changed (address, types, secret rotated).',
  'webhook_endpoint.disabled': 'A webhook endpoint was disabled, by its owner or after failing too long.',
  'webhook_endpoint.deleted': 'A webhook endpoint was deleted.',
  'webhook_endpoint.failing': 'Five attempts in a row to a webhook endpoint failed.',
  'webhook_endpoint.recovered': 'A webhook endpoint that was failing received a delivery again.',
};

export interface EventTypeEntry {
  name: string;
  description: string;
  /** The JSON Schema of `data.object`. */
  schema: JsonSchema;
  /** An event of this type, as a receiver gets it. */
  example: { id: string; type: string; createdAt: string; data: { object: unknown } };
}

/** The shape of an event type's object, or undefined when no prefix covers it. */
export function shapeOfType(type: string): ObjectShape<never> | undefined {
  const parts = type.split('.');
  for (let length = parts.length - 1; length > 0; length -= 1) {
    const found = shapeByPrefix[parts.slice(0, length).join('.')];
    if (found) return found;
  }
  return undefined;
}

const describe = (type: string) => descriptions[type] ?? `${type.replaceAll('_', ' ').replaceAll('.', ': ')}.`;

function entryOf(type: string): EventTypeEntry | null {
  const found = shapeOfType(type);
  if (!found) return null;
  const extra = extraFields[type] ?? {};
  const base = found.schema as { properties: Record<string, JsonSchema>; required: string[] };
  const shape = {
    object: found.object,
    schema: { ...found.schema, properties: { ...base.properties, ...extra }, required: [...base.required, ...Object.keys(extra)] },
  };
  return {
    name: type,
    description: describe(type),
    schema: { $schema: 'https://json-schema.org/draft/2020-12/schema', title: shape.object, ...shape.schema },
    example: {
      id: 'evt_7dQk2LmZ9xTfB3nWc1RgYp',
      type,
      createdAt: '2026-01-15T09:30:00.000Z',
      data: { object: exampleOf(shape.schema) },
    },
  };
}

/** Every event type the server records, in the order of event-types.ts; a type without a shape is left out (and fails the catalog's test). */
export const eventCatalog: readonly EventTypeEntry[] = eventTypes.flatMap((type) => entryOf(type) ?? []);
