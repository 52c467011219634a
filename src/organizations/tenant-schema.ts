import { ConflictError, InvalidStateError, ValidationError } from '../core/domain-errors.ts';
import { withIssuedSecret, ApiKeyType } from '../api-keys/schema.ts';
import { builder } from '../graphql/builder.ts';
import { actorOf } from '../graphql/context.ts';
import { dateTimeRange, DateTimeFilter, orderByInput } from '../graphql/lists.ts';
import type { ApiKey, Tenant } from '../generated/prisma/client.ts';
import type { TenantEnvironment } from '../generated/prisma/enums.ts';
import { TenantEnvironmentEnum, TenantType } from './schema.ts';
import { createTenant } from './tenants.ts';

const tenantOrder = orderByInput('Tenant', { CREATED_AT: 'createdAt', NAME: 'name' });

const TenantFilter = builder.inputType('TenantFilter', {
  fields: (t) => ({
    environment: t.field({ type: [TenantEnvironmentEnum], required: false }),
    createdAt: t.field({ type: DateTimeFilter, required: false }),
  }),
});

type TenantFilterValue = { environment?: TenantEnvironment[] | null; createdAt?: Parameters<typeof dateTimeRange>[0] } | null | undefined;

const tenantWhere = (filter: TenantFilterValue) => ({
  ...(filter?.environment ? { environment: { in: filter.environment } } : {}),
  ...(filter?.createdAt ? { createdAt: dateTimeRange(filter.createdAt) } : {}),
});

builder.queryField('tenants', (t) =>
  t.prismaConnection(
    {
      type: 'Tenant',
      cursor: 'id',
      description:
        "The caller's organization's tenants (production and sandboxes); acting on behalf of an account, the one tenant the request acts in.",
      args: {
        filter: t.arg({ type: TenantFilter, required: false }),
        orderBy: t.arg({ type: tenantOrder.OrderBy, required: false }),
      },
      resolve: (query, _root, args, context) =>
        context.db.tenant.findMany({ ...query, where: tenantWhere(args.filter), orderBy: tenantOrder.toPrisma(args.orderBy) }),
      totalCount: (_connection, args, context) => context.db.tenant.count({ where: tenantWhere(args.filter) }),
    },
    {},
  ),
);

const CreateTenantInput = builder.inputType('CreateTenantInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: '1-100 characters, unique in the organization in any letter case.' }),
    environment: t.field({
      type: TenantEnvironmentEnum,
      required: true,
      description: 'SANDBOX: the production tenant is made with the organization.',
    }),
  }),
});

const CreateTenantPayload = builder.objectRef<{ tenant: Tenant; apiKey: ApiKey }>('CreateTenantPayload').implement({
  fields: (t) => ({
    tenant: t.expose('tenant', { type: TenantType }),
    apiKey: t.expose('apiKey', { type: ApiKeyType, description: "The new tenant's first key, with its secret (shown here only)." }),
  }),
});

builder.mutationField('createTenant', (t) =>
  t.field({
    type: CreateTenantPayload,
    description: "A sandbox tenant of the caller's organization, with its first API key. Not while acting on behalf of an account.",
    authScopes: { platform: true },
    errors: { types: [ValidationError, ConflictError, InvalidStateError] },
    args: { input: t.arg({ type: CreateTenantInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const created = await createTenant(context.crossTenant('tenant-provisioning'), actorOf(context), input);
      return { tenant: created.tenant, apiKey: withIssuedSecret(created.apiKey) };
    },
  }),
);
