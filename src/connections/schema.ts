// GraphQL for connections. Secrets are input-only: the Connection type has `secretHints`, never
// a field that could carry a secret.
import type { Connection } from '../generated/prisma/client.ts';
import { ConnectionHealthStatus, ConnectionStatus, ProviderType } from '../generated/prisma/enums.ts';
import { ConflictError, InvalidStateError, NotFoundError, ValidationError } from '../core/domain-errors.ts';
import { typeNameOf } from '../graphql/type-names.ts';
import { builder } from '../graphql/builder.ts';
import { grantedField } from '../graphql/permissions.ts';
import { actorOf } from '../graphql/context.ts';
import { dateTimeRange, DateTimeFilter, orderByInput } from '../graphql/lists.ts';
import { addressPolicyOf } from '../net/address-guard.ts';
import type { Context } from '../graphql/context.ts';
import { changeConnectionStatus, createConnection, updateConnection, verifyConnection, type ConnectionDependencies } from './service.ts';
import type { SecretField } from './providers/provider.ts';
import { providers } from './providers/registry.ts';
import { GENERIC_MEMBER, type SecretsInput } from './secrets.ts';
import { storedSettings, type ConnectionSettings } from './settings.ts';

export const ProviderTypeEnum = builder.enumType(ProviderType, { name: 'ProviderType' });
const ConnectionStatusEnum = builder.enumType(ConnectionStatus, { name: 'ConnectionStatus' });
const ConnectionHealthStatusEnum = builder.enumType(ConnectionHealthStatus, {
  name: 'ConnectionHealthStatus',
  description: 'UNKNOWN: never checked. NEEDS_REAUTH: the provider refused the credentials (401/403). FAILING: any other failure.',
});

const dependenciesOf = (context: Context): ConnectionDependencies => ({
  keyRing: context.keyRing,
  addressPolicy: addressPolicyOf(context.config),
  verifyTimeoutMs: context.config.connectionVerifyTimeoutMs,
});

interface Direction {
  inbound: boolean;
  outbound: boolean;
}
type SyncConfig = Record<'plan' | 'subscription' | 'invoice' | 'deal', Direction>;

const SyncDirectionType = builder.objectRef<Direction>('SyncDirection').implement({
  fields: (t) => ({ inbound: t.exposeBoolean('inbound'), outbound: t.exposeBoolean('outbound') }),
});

const SyncConfigType = builder.objectRef<SyncConfig>('SyncConfig').implement({
  fields: (t) => ({
    plan: t.expose('plan', { type: SyncDirectionType }),
    subscription: t.expose('subscription', { type: SyncDirectionType }),
    invoice: t.expose('invoice', { type: SyncDirectionType }),
    deal: t.expose('deal', { type: SyncDirectionType }),
  }),
});

const ConnectionSettingsType = builder.objectRef<ConnectionSettings>('ConnectionSettings').implement({
  fields: (t) => ({
    invoiceSyncEnable: t.exposeBoolean('invoiceSyncEnable'),
    endpoint: t.string({
      nullable: true,
      description: "The provider's base URL; null: its public endpoint.",
      resolve: (settings) => settings.endpoint ?? null,
    }),
    bucket: t.string({
      nullable: true,
      description: 'S3: the bucket the verification checks.',
      resolve: (settings) => settings.bucket ?? null,
    }),
    region: t.string({ nullable: true, description: 'S3: null means us-east-1.', resolve: (settings) => settings.region ?? null }),
    forcePathStyle: t.boolean({
      nullable: true,
      description: 'S3: address the bucket in the path (most S3-compatible stores).',
      resolve: (settings) => settings.forcePathStyle ?? null,
    }),
  }),
});

interface ConnectionHealth {
  status: ConnectionHealthStatus;
  lastVerifiedAt: Date | null;
  lastError: string | null;
}

const ConnectionHealthType = builder.objectRef<ConnectionHealth>('ConnectionHealth').implement({
  description: 'What the last check of the stored credentials against the provider said (verifyConnection, or hourly in the background).',
  fields: (t) => ({
    status: t.expose('status', { type: ConnectionHealthStatusEnum }),
    lastVerifiedAt: t.expose('lastVerifiedAt', { type: 'DateTime', nullable: true }),
    lastError: t.exposeString('lastError', {
      nullable: true,
      description:
        'Why the last check failed, in our words (status codes, provider error codes): never a secret, never the provider’s message.',
    }),
  }),
});

const ConnectionType = builder.prismaNode('Connection', {
  id: { field: 'id' },
  description: 'A connection to a third-party provider. Its secrets are write-only; secretHints shows which are stored.',
  fields: (t) => ({
    name: t.exposeString('name'),
    providerType: t.expose('providerType', { type: ProviderTypeEnum }),
    status: t.expose('status', { type: ConnectionStatusEnum }),
    syncConfig: t.field({ type: SyncConfigType, resolve: (connection) => connection.syncConfig as unknown as SyncConfig }),
    settings: t.field({ type: ConnectionSettingsType, resolve: (connection) => storedSettings(connection) }),
    health: t.field({
      type: ConnectionHealthType,
      resolve: ({ healthStatus, lastVerifiedAt, lastError }) => ({ status: healthStatus, lastVerifiedAt, lastError }),
    }),
    metadata: t.expose('metadata', { type: 'JSON', nullable: true }),
    secretHints: t.field({
      type: 'JSONObject',
      description: 'A masked form of each stored secret field, e.g. { "secretKey": "sk_live_…4242" }. Empty once deleted.',
      resolve: (connection) => connection.secretHints as Record<string, string>,
    }),
    tenantId: t.exposeID('tenantId'),
    createdBy: t.exposeID('createdBy', { description: 'The API key (key_…) or user (usr_…) that created it.' }),
    updatedBy: t.exposeID('updatedBy'),
    deletedAt: t.expose('deletedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

builder.queryField('connection', (t) =>
  t.prismaField({
    ...grantedField('connections:read'),
    type: ConnectionType,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, { id }, context) => context.db.connection.findUnique({ ...query, where: { id } }),
  }),
);

const connectionOrder = orderByInput('Connection', { CREATED_AT: 'createdAt', UPDATED_AT: 'updatedAt', NAME: 'name' });

const ConnectionFilter = builder.inputType('ConnectionFilter', {
  fields: (t) => ({
    providerType: t.field({ type: [ProviderTypeEnum], required: false }),
    status: t.field({ type: [ConnectionStatusEnum], required: false }),
    createdAt: t.field({ type: DateTimeFilter, required: false }),
  }),
});

function connectionWhere(filter: typeof ConnectionFilter.$inferInput | null | undefined) {
  return {
    ...(filter?.providerType ? { providerType: { in: filter.providerType } } : {}),
    ...(filter?.status ? { status: { in: filter.status } } : {}),
    ...(filter?.createdAt ? { createdAt: dateTimeRange(filter.createdAt) } : {}),
  };
}

builder.queryField('connections', (t) =>
  t.prismaConnection(
    {
      ...grantedField('connections:read'),
      type: 'Connection',
      cursor: 'id',
      description: "The acting tenant's connections (deleted ones too: filter on status to hide them).",
      args: {
        filter: t.arg({ type: ConnectionFilter, required: false }),
        orderBy: t.arg({ type: connectionOrder.OrderBy, required: false }),
      },
      resolve: (query, _root, args, context) =>
        context.db.connection.findMany({ ...query, where: connectionWhere(args.filter), orderBy: connectionOrder.toPrisma(args.orderBy) }),
      totalCount: (_connection, args, context) => context.db.connection.count({ where: connectionWhere(args.filter) }),
    },
    {},
  ),
);

const GenericSecretsInput = builder.inputType('GenericSecretsInput', {
  fields: (t) => ({ data: t.field({ type: 'JSONObject', required: false, description: 'Required: a non-empty object.' }) }),
});

/** `Required: pk_live_… or pk_test_…`, `Required.`, `whsec_…`, or none. */
function secretFieldDescription({ required, format }: SecretField): string | undefined {
  if (required) return format ? `Required: ${format}` : 'Required.';
  return format;
}

/** The members of ConnectionSecretsInput: each provider's own (providers/<name>.ts), and `generic`. */
const secretMembers = Object.values(providers).flatMap(({ secrets }) => {
  if (secrets.kind !== 'fields') return [];
  const Input = builder.inputRef<Record<string, string | null | undefined>>(secrets.inputTypeName).implement({
    fields: (t) =>
      Object.fromEntries(
        Object.entries(secrets.fields).map(([name, field]) => [
          name,
          t.string({ required: false, description: secretFieldDescription(field) }),
        ]),
      ),
  });
  return [{ member: secrets.member, Input }];
});
const memberNames = [...secretMembers.map(({ member }) => member), GENERIC_MEMBER];
if (new Set(memberNames).size !== memberNames.length)
  throw new Error(`Two providers take the same secrets member: ${memberNames.join(', ')}`);
const genericTakers = Object.entries(providers).flatMap(([type, { secrets }]) => (secrets.kind === 'generic' ? [type] : []));

const genericNote =
  genericTakers.length > 0 ? ` (${genericTakers.join(', ')} ${genericTakers.length === 1 ? 'takes' : 'take'} generic)` : '';

const ConnectionSecretsInput = builder.inputRef<SecretsInput>('ConnectionSecretsInput').implement({
  description:
    `Exactly one member, the one of the connection's provider${genericNote}. ` +
    'Write-only. Fields marked required are checked by the server, so a missing one is a VALIDATION error naming it (never echoing a value).',
  isOneOf: true,
  fields: (t) => ({
    ...Object.fromEntries(secretMembers.map(({ member, Input }) => [member, t.field({ type: Input, required: false })])),
    [GENERIC_MEMBER]: t.field({ type: GenericSecretsInput, required: false }),
  }),
});

const SyncDirectionInput = builder.inputType('SyncDirectionInput', {
  fields: (t) => ({
    inbound: t.boolean({ required: false, defaultValue: false }),
    outbound: t.boolean({ required: false, defaultValue: false }),
  }),
});

const SyncConfigInput = builder.inputType('SyncConfigInput', {
  fields: (t) => ({
    plan: t.field({ type: SyncDirectionInput, required: false }),
    subscription: t.field({ type: SyncDirectionInput, required: false }),
    invoice: t.field({ type: SyncDirectionInput, required: false }),
    deal: t.field({ type: SyncDirectionInput, required: false }),
  }),
});

const ConnectionSettingsInput = builder.inputType('ConnectionSettingsInput', {
  description: 'On update, a field left out is unchanged and a null one goes back to its default.',
  fields: (t) => ({
    invoiceSyncEnable: t.boolean({ required: false }),
    endpoint: t.field({
      type: 'URL',
      required: false,
      description:
        "The provider's base URL instead of its public one (an S3-compatible store, a regional API). In production: https, " +
        'and never a host that resolves to a loopback, private, link-local or metadata address.',
    }),
    bucket: t.string({ required: false, description: 'S3 only: the bucket the verification checks (required to verify).' }),
    region: t.string({ required: false, description: 'S3 only: e.g. eu-west-3; us-east-1 when absent.' }),
    forcePathStyle: t.boolean({ required: false, description: 'S3 only: bucket in the path rather than the host name.' }),
  }),
});

const CreateConnectionInput = builder.inputType('CreateConnectionInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: '1 to 255 characters.' }),
    providerType: t.field({ type: ProviderTypeEnum, required: true }),
    secrets: t.field({ type: ConnectionSecretsInput, required: true }),
    settings: t.field({ type: ConnectionSettingsInput, required: false }),
    syncConfig: t.field({ type: SyncConfigInput, required: false }),
    metadata: t.field({ type: 'JSONObject', required: false }),
  }),
});

const UpdateConnectionInput = builder.inputType('UpdateConnectionInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    name: t.string({ required: false }),
    secrets: t.field({
      type: ConnectionSecretsInput,
      required: false,
      description: 'Merges: the fields given replace their stored values, the others are kept (the required ones must remain).',
    }),
    settings: t.field({ type: ConnectionSettingsInput, required: false, description: 'Merges, like secrets.' }),
    syncConfig: t.field({ type: SyncConfigInput, required: false, description: 'Changes the resources given.' }),
    metadata: t.field({ type: 'JSONObject', required: false }),
  }),
});

const connectionPayload = (name: string) =>
  builder.objectRef<{ connection: Connection }>(name).implement({
    fields: (t) => ({ connection: t.expose('connection', { type: ConnectionType }) }),
  });

builder.mutationField('createConnection', (t) =>
  t.field({
    ...grantedField('connections:write'),
    type: connectionPayload('CreateConnectionPayload'),
    description:
      'In the acting tenant (the connected account’s with x-meteroid-connect-account). Several per provider; the name is unique ' +
      'in the tenant in any letter case among connections not deleted (CONFLICT). Its health starts UNKNOWN.',
    errors: { types: [ValidationError, ConflictError] },
    args: { input: t.arg({ type: CreateConnectionInput, required: true }) },
    resolve: async (_root, { input }, context) => ({
      connection: await createConnection(context.db, actorOf(context), dependenciesOf(context), input),
    }),
  }),
);

builder.mutationField('updateConnection', (t) =>
  t.field({
    ...grantedField('connections:write'),
    type: connectionPayload('UpdateConnectionPayload'),
    errors: { types: [ValidationError, NotFoundError, InvalidStateError, ConflictError] },
    args: { input: t.arg({ type: UpdateConnectionInput, required: true }) },
    resolve: async (_root, { input: { id, ...changes } }, context) => ({
      connection: await updateConnection(context.db, actorOf(context), dependenciesOf(context), id, changes),
    }),
  }),
);

const VerifyConnectionInput = builder.inputType('VerifyConnectionInput', { fields: (t) => ({ id: t.id({ required: true }) }) });

builder.mutationField('verifyConnection', (t) =>
  t.field({
    ...grantedField('connections:write'),
    type: connectionPayload('VerifyConnectionPayload'),
    description:
      'Checks the stored credentials against the provider now (at most 5 s) and records the result in `health`, with a ' +
      '`connection.verification_succeeded` or `connection.verification_failed` event. A refused check is a health, not an error.',
    errors: { types: [NotFoundError, InvalidStateError] },
    args: { input: t.arg({ type: VerifyConnectionInput, required: true }) },
    resolve: async (_root, { input }, context) => ({
      connection: await verifyConnection(context.db, actorOf(context), dependenciesOf(context), input.id),
    }),
  }),
);

const statusMutations = {
  archiveConnection: { action: 'archive', description: 'PUBLISHED → ARCHIVED.' },
  unarchiveConnection: { action: 'unarchive', description: 'ARCHIVED → PUBLISHED.' },
  deleteConnection: { action: 'delete', description: 'Soft delete: status DELETED, the row kept for audit, the secrets wiped.' },
} as const;

for (const [name, { action, description }] of Object.entries(statusMutations)) {
  const typeName = typeNameOf(name);
  const Input = builder.inputType(`${typeName}Input`, { fields: (t) => ({ id: t.id({ required: true }) }) });
  builder.mutationField(name, (t) =>
    t.field({
      ...grantedField('connections:write'),
      type: connectionPayload(`${typeName}Payload`),
      description,
      errors: { types: [NotFoundError, InvalidStateError] },
      args: { input: t.arg({ type: Input, required: true }) },
      resolve: async (_root, { input }, context) => ({
        connection: await changeConnectionStatus(context.db, actorOf(context), input.id, action),
      }),
    }),
  );
}
