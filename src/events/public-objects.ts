// What an event shows of an object: the fields the API shows of it, named as the API names them,
// and never a secret (a connection's encrypted secrets stay out; its masked hints are public). Each
// object is one shape: its fields with their JSON Schema, which both picks what `data.object` shows
// and describes it in the event catalog (catalog.ts), so the two cannot drift apart.
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
import {
  ConnectedAccountStatus,
  ConnectedAccountStatusReason,
  ConnectionHealthStatus,
  ConnectionStatus,
  ConnectionType,
  LegalEntityType,
  OnboardingMode,
  ProviderType,
  SubAccountStatus,
  SubAccountStatusReason,
  TenantEnvironment,
  WebhookEndpointStatus,
} from '../generated/prisma/enums.ts';
import type { EventType } from './event-types.ts';
import {
  anyJson,
  closedObject,
  dateTime,
  flag,
  idList,
  idOf,
  integer,
  nullable,
  oneOf,
  text,
  textList,
  type JsonSchema,
} from './json-schema.ts';
import { recordEvent, type EventActor, type EventData, type EventPlace, type EventWriter } from './record.ts';

type Fields = Record<string, unknown>;

/** One kind of object as events show it. */
export interface ObjectShape<Row> {
  /** `data.object.object`: which kind of object it is. */
  object: string;
  /** What an event shows of a row. */
  show: (row: Row) => Fields;
  /** The JSON Schema of what `show` returns. */
  schema: JsonSchema;
}

interface ShapeDefinition<Row> {
  object: string;
  /** Columns shown as stored, each with its schema. */
  columns: { [Column in keyof Row & string]?: JsonSchema };
  /** Fields made from the row, each with its schema. */
  computed?: Record<string, { schema: JsonSchema; value: (row: Row) => unknown }>;
}

function shape<Row extends object>({ object, columns, computed = {} }: ShapeDefinition<Row>): ObjectShape<Row> {
  const names = Object.keys(columns) as (keyof Row & string)[];
  const made = Object.entries(computed);
  return {
    object,
    show: (row) => ({
      object,
      ...Object.fromEntries(names.map((name) => [name, row[name]])),
      ...Object.fromEntries(made.map(([name, field]) => [name, field.value(row)])),
    }),
    schema: closedObject({
      object: { const: object },
      ...(columns as Record<string, JsonSchema>),
      ...Object.fromEntries(made.map(([name, field]) => [name, field.schema])),
    }),
  };
}

const createdAndUpdated = { createdAt: dateTime, updatedAt: dateTime };
const optionalText = nullable(text);
const optionalTime = nullable(dateTime);

export const connectedAccountShape = shape<ConnectedAccount>({
  object: 'connected_account',
  columns: {
    id: idOf('cacc'),
    connectionType: oneOf(ConnectionType),
    onboardingMode: oneOf(OnboardingMode),
    status: oneOf(ConnectedAccountStatus),
    statusReason: nullable(oneOf(ConnectedAccountStatusReason)),
    platformOrganizationId: idOf('org'),
    connectedOrganizationId: nullable(idOf('org')),
    connectedTenantId: nullable(idOf('ten')),
    platformCustomerId: optionalText,
    metadata: anyJson,
    grantedScopes: textList,
    grantedTenantIds: idList('ten'),
    onboardingCompletedAt: optionalTime,
    suspendedAt: optionalTime,
    revokedAt: optionalTime,
    ...createdAndUpdated,
  },
});

/** A sub-account with the ids of its purposes and packages, so that an update says when they changed. */
export type SubAccountRow = SubAccount & { purposes: { permissiblePurposeId: string }[]; packages: { accountPackageId: string }[] };

/** Which key is the provisioned one is left out: keys have their own events. */
export const subAccountShape = shape<SubAccountRow>({
  object: 'sub_account',
  columns: {
    id: idOf('sacc'),
    platformOrganizationId: idOf('org'),
    platformTenantId: idOf('ten'),
    organizationId: idOf('org'),
    tenantId: idOf('ten'),
    accountName: text,
    firstName: text,
    lastName: text,
    emailAddress: text,
    url: optionalText,
    techEmailAddress: optionalText,
    supportEmailAddress: optionalText,
    supportPhone: optionalText,
    complianceEmailAddress: optionalText,
    actionsEmailAddress: optionalText,
    companyPhoneNumber: optionalText,
    additionalCompanyInfo: optionalText,
    ownerTitle: optionalText,
    legalBusinessName: optionalText,
    stateOfIncorporation: optionalText,
    ein: optionalText,
    legalEntityType: nullable(oneOf(LegalEntityType)),
    billingContactFirstName: optionalText,
    billingContactLastName: optionalText,
    billingEmail: optionalText,
    status: oneOf(SubAccountStatus),
    statusReason: nullable(oneOf(SubAccountStatusReason)),
    deactivatedAt: optionalTime,
    ...createdAndUpdated,
  },
  computed: {
    address: {
      schema: closedObject({ line1: text, line2: optionalText, city: text, state: optionalText, postalCode: text, country: text }),
      value: (account) => ({
        line1: account.addressLine1,
        line2: account.addressLine2,
        city: account.addressCity,
        state: account.addressState,
        postalCode: account.addressPostalCode,
        country: account.addressCountry,
      }),
    },
    permissiblePurposeIds: {
      schema: idList('ppur'),
      value: (account) => account.purposes.map((link) => link.permissiblePurposeId).sort(),
    },
    accountPackageIds: {
      schema: idList('apkg'),
      value: (account) => account.packages.map((link) => link.accountPackageId).sort(),
    },
  },
});

/** A key as its events show it: never its secret or the secret's hash. */
export const apiKeyShape = shape<ApiKey & { subAccountId: string }>({
  object: 'api_key',
  columns: { subAccountId: idOf('sacc'), id: idOf('key'), name: text, prefix: text, createdAt: dateTime, revokedAt: optionalTime },
});

export const permissiblePurposeShape = shape<PermissiblePurpose>({
  object: 'permissible_purpose',
  columns: { id: idOf('ppur'), name: text, description: optionalText, archivedAt: optionalTime, ...createdAndUpdated },
});

/** A package with the ids of the purposes it groups, so that an update says when they changed. */
export const accountPackageShape = shape<AccountPackage & { purposes: { permissiblePurposeId: string }[] }>({
  object: 'account_package',
  columns: { id: idOf('apkg'), name: text, archivedAt: optionalTime, ...createdAndUpdated },
  computed: {
    permissiblePurposeIds: { schema: idList('ppur'), value: (pkg) => pkg.purposes.map((link) => link.permissiblePurposeId).sort() },
  },
});

export const connectionShape = shape<Connection>({
  object: 'connection',
  columns: {
    id: idOf('conn'),
    tenantId: idOf('ten'),
    name: text,
    providerType: oneOf(ProviderType),
    status: oneOf(ConnectionStatus),
    secretHints: anyJson,
    settings: anyJson,
    syncConfig: anyJson,
    metadata: anyJson,
    createdBy: text,
    updatedBy: text,
    deletedAt: optionalTime,
    ...createdAndUpdated,
  },
  computed: {
    health: {
      schema: closedObject({ status: oneOf(ConnectionHealthStatus), lastVerifiedAt: optionalTime, lastError: optionalText }),
      value: (connection) => ({
        status: connection.healthStatus,
        lastVerifiedAt: connection.lastVerifiedAt,
        lastError: connection.lastError,
      }),
    },
  },
});

export const tenantShape = shape<Tenant>({
  object: 'tenant',
  columns: { id: idOf('ten'), organizationId: idOf('org'), name: text, environment: oneOf(TenantEnvironment), createdAt: dateTime },
});

export const webhookEndpointShape = shape<WebhookEndpoint>({
  object: 'webhook_endpoint',
  columns: {
    id: idOf('we'),
    url: text,
    description: optionalText,
    eventTypes: textList,
    connect: flag,
    status: oneOf(WebhookEndpointStatus),
    disabledReason: optionalText,
    maxDeliveriesPerSecond: nullable(integer),
    payloadFragment: optionalText,
    ...createdAndUpdated,
  },
});

/** Every shape, for the catalog. */
export const objectShapes = [
  connectedAccountShape,
  subAccountShape,
  apiKeyShape,
  permissiblePurposeShape,
  accountPackageShape,
  connectionShape,
  tenantShape,
  webhookEndpointShape,
] as const;

export const connectedAccountObject = connectedAccountShape.show;
export const subAccountObject = subAccountShape.show;
export const apiKeyObject = (key: ApiKey, subAccountId: string): Fields => apiKeyShape.show({ ...key, subAccountId });
export const permissiblePurposeObject = permissiblePurposeShape.show;
export const accountPackageObject = accountPackageShape.show;
export const connectionObject = connectionShape.show;
export const tenantObject = tenantShape.show;
export const webhookEndpointObject = webhookEndpointShape.show;

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
