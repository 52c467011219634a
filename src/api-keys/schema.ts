import type { ApiKey } from '../generated/prisma/client.ts';
import { builder } from '../graphql/builder.ts';
import { actorOf } from '../graphql/context.ts';
import { shownOnce } from '../graphql/shown-once.ts';
import { LimitReachedError, NotFoundError, ValidationError } from '../core/domain-errors.ts';
import { dateTimeRange, DateTimeFilter, orderByInput } from '../graphql/lists.ts';
import { createApiKey, revokeApiKey, type IssuedApiKey } from './service.ts';

const issuedSecrets = shownOnce<ApiKey>();

/** The key row, showing its secret in this payload only. */
export const withIssuedSecret = ({ apiKey, secret }: IssuedApiKey) => issuedSecrets.attach(apiKey, secret);

export const ApiKeyType = builder.prismaNode('ApiKey', {
  id: { field: 'id' },
  fields: (t) => ({
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix', { description: 'The first characters of the key, to recognise it by.' }),
    secret: t.string({
      nullable: true,
      description: 'The key itself: present only in the payload that created or rotated it, null everywhere else.',
      resolve: (key) => issuedSecrets.read(key),
    }),
    tenantId: t.exposeID('tenantId'),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const apiKeyOrder = orderByInput('ApiKey', { CREATED_AT: 'createdAt', NAME: 'name', LAST_USED_AT: 'lastUsedAt' });

const ApiKeyFilter = builder.inputType('ApiKeyFilter', {
  fields: (t) => ({
    revoked: t.boolean({ required: false, description: 'true: only revoked keys; false: only active ones.' }),
    createdAt: t.field({ type: DateTimeFilter, required: false }),
  }),
});

builder.queryField('apiKeys', (t) =>
  t.prismaConnection(
    {
      type: 'ApiKey',
      cursor: 'id',
      description: "The acting tenant's API keys (never their secrets).",
      args: {
        filter: t.arg({ type: ApiKeyFilter, required: false }),
        orderBy: t.arg({ type: apiKeyOrder.OrderBy, required: false }),
      },
      resolve: (query, _root, args, context) =>
        context.db.apiKey.findMany({ ...query, where: apiKeyWhere(args.filter), orderBy: apiKeyOrder.toPrisma(args.orderBy) }),
      totalCount: (_connection, args, context) => context.db.apiKey.count({ where: apiKeyWhere(args.filter) }),
    },
    {},
  ),
);

function apiKeyWhere(filter: { revoked?: boolean | null; createdAt?: Parameters<typeof dateTimeRange>[0] } | null | undefined) {
  const revoked = filter?.revoked;
  return {
    ...(revoked === true ? { revokedAt: { not: null } } : revoked === false ? { revokedAt: null } : {}),
    ...(filter?.createdAt ? { createdAt: dateTimeRange(filter.createdAt) } : {}),
  };
}

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  fields: (t) => ({ name: t.string({ required: true }) }),
});

const CreateApiKeyPayload = builder.objectRef<{ apiKey: ApiKey }>('CreateApiKeyPayload').implement({
  fields: (t) => ({ apiKey: t.expose('apiKey', { type: ApiKeyType }) }),
});

builder.mutationField('createApiKey', (t) =>
  t.field({
    type: CreateApiKeyPayload,
    description:
      'Creates a key for the acting tenant. Its secret is in this payload and nowhere else, ever. ' +
      'A tenant holds at most API_KEYS_PER_TENANT active keys (50 by default): past it, LIMIT_REACHED.',
    authScopes: { platform: true },
    errors: { types: [ValidationError, LimitReachedError] },
    args: { input: t.arg({ type: CreateApiKeyInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const issued = await createApiKey(context.db, actorOf(context), input.name, context.config.apiKeysPerTenant);
      return { apiKey: withIssuedSecret(issued) };
    },
  }),
);

const RevokeApiKeyInput = builder.inputType('RevokeApiKeyInput', {
  fields: (t) => ({ id: t.id({ required: true }) }),
});

const RevokeApiKeyPayload = builder.objectRef<{ apiKey: ApiKey }>('RevokeApiKeyPayload').implement({
  fields: (t) => ({ apiKey: t.expose('apiKey', { type: ApiKeyType }) }),
});

builder.mutationField('revokeApiKey', (t) =>
  t.field({
    type: RevokeApiKeyPayload,
    description: 'Revokes a key of the acting tenant; it is refused from the next request on.',
    authScopes: { platform: true },
    errors: { types: [NotFoundError] },
    args: { input: t.arg({ type: RevokeApiKeyInput, required: true }) },
    resolve: async (_root, { input }, context) => ({ apiKey: await revokeApiKey(context.db, actorOf(context), input.id) }),
  }),
);
