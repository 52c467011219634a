// What an event shows of an object: the fields the API shows of it, named as the API names them,
// and never a secret (a connection's encrypted secrets stay out; its masked hints are public).
import type {
  AccountPackage,
  ApiKey,
  ConnectedAccount,
  Connection,
  PermissiblePurpose,
  SubAccount,
  Tenant,
  WebhookEndpoint,
} from '../generated/prisma/client.ts';
import type { EventType } from './event-types.ts';
import { recordEvent, type EventActor, type EventData, type EventPlace, type EventWriter } from './record.ts';

type Fields = Record<string, unknown>;

const pick = <Row extends object, Key extends keyof Row>(row: Row, keys: readonly Key[]): Fields =>
  Object.fromEntries(keys.map((key) => [key, row[key]]));

export const connectedAccountObject = (account: ConnectedAccount): Fields => ({
  object: 'connected_account',
  ...pick(account, [
    'id',
    'connectionType',
    'onboardingMode',
    'status',
    'statusReason',
    'platformOrganizationId',
    'connectedOrganizationId',
    'connectedTenantId',
    'platformCustomerId',
    'metadata',
    'grantedScopes',
    'grantedTenantIds',
    'onboardingCompletedAt',
    'suspendedAt',
    'revokedAt',
    'createdAt',
    'updatedAt',
  ]),
});

export function subAccountObject(account: SubAccount): Fields {
  const { addressLine1, addressLine2, addressCity, addressState, addressPostalCode, addressCountry, ...profile } = account;
  return {
    object: 'sub_account',
    ...profile,
    address: {
      line1: addressLine1,
      line2: addressLine2,
      city: addressCity,
      state: addressState,
      postalCode: addressPostalCode,
      country: addressCountry,
    },
  };
}

/** A key as its events show it: never its secret or the secret's hash. */
export const apiKeyObject = (key: ApiKey, subAccountId: string): Fields => ({
  object: 'api_key',
  subAccountId,
  ...pick(key, ['id', 'name', 'prefix', 'createdAt', 'revokedAt']),
});

export const permissiblePurposeObject = (purpose: PermissiblePurpose): Fields => ({
  object: 'permissible_purpose',
  ...pick(purpose, ['id', 'name', 'description', 'archivedAt', 'createdAt', 'updatedAt']),
});

/** A package with the ids of the purposes it groups, so that an update says when they changed. */
export const accountPackageObject = ({
  purposes,
  ...accountPackage
}: AccountPackage & { purposes: { permissiblePurposeId: string }[] }): Fields => ({
  object: 'account_package',
  ...pick(accountPackage, ['id', 'name', 'archivedAt', 'createdAt', 'updatedAt']),
  permissiblePurposeIds: purposes.map((link) => link.permissiblePurposeId).sort(),
});

export const connectionObject = (connection: Connection): Fields => ({
  object: 'connection',
  ...pick(connection, [
    'id',
    'tenantId',
    'name',
    'providerType',
    'status',
    'secretHints',
    'settings',
    'syncConfig',
    'metadata',
    'createdBy',
    'updatedBy',
    'deletedAt',
    'createdAt',
    'updatedAt',
  ]),
  health: { status: connection.healthStatus, lastVerifiedAt: connection.lastVerifiedAt, lastError: connection.lastError },
});

export const tenantObject = (tenant: Tenant): Fields => ({
  object: 'tenant',
  ...pick(tenant, ['id', 'organizationId', 'name', 'environment', 'createdAt']),
});

export const webhookEndpointObject = (endpoint: WebhookEndpoint): Fields => ({
  object: 'webhook_endpoint',
  ...pick(endpoint, ['id', 'url', 'description', 'eventTypes', 'connect', 'status', 'disabledReason', 'createdAt', 'updatedAt']),
});

/** An event's data: the object after the change, and (when there was one before) what it changed. */
export function eventData(after: Fields, before?: Fields): EventData {
  if (!before) return { object: after };
  const previous = Object.fromEntries(
    Object.entries(before).filter(([key, value]) => key !== 'updatedAt' && JSON.stringify(value) !== JSON.stringify(after[key])),
  );
  return { object: after, previous };
}

/**
 * Records a change to an object: its id, what `show` shows of it after the change, and (given the
 * row before) the fields the change changed.
 */
export function recordChange<Row extends { id: string }>(
  tx: EventWriter,
  change: { type: EventType; show: (row: Row) => Fields; after: Row; before?: Row | undefined; place: EventPlace; actor: EventActor },
) {
  const { type, show, after, before, place, actor } = change;
  return recordEvent(tx, { type, objectId: after.id, data: eventData(show(after), before ? show(before) : undefined), place, actor });
}
