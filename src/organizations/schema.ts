import { InvalidCredentialsError, ValidationError } from '../core/domain-errors.ts';
import { withIssuedSecret, ApiKeyType } from '../api-keys/schema.ts';
import { builder } from '../graphql/builder.ts';
import type { ApiKey } from '../generated/prisma/client.ts';
import { TenantEnvironment } from '../generated/prisma/enums.ts';
import { createOrganizationWithKey, type ProvisionedOrganization } from './service.ts';

export const OrganizationType = builder.prismaNode('Organization', {
  id: { field: 'id' },
  fields: (t) => ({
    name: t.exposeString('name'),
    country: t.expose('country', { type: 'CountryCode', nullable: true }),
    tenants: t.relation('tenants', { query: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] } }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

export const TenantEnvironmentEnum = builder.enumType(TenantEnvironment, { name: 'TenantEnvironment' });

export const TenantType = builder.prismaNode('Tenant', {
  id: { field: 'id' },
  fields: (t) => ({
    name: t.exposeString('name'),
    environment: t.expose('environment', { type: TenantEnvironmentEnum }),
    organizationId: t.exposeID('organizationId'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

export const InvoicingEntityType = builder.prismaNode('InvoicingEntity', {
  id: { field: 'id' },
  fields: (t) => ({
    legalName: t.exposeString('legalName'),
    logoUrl: t.expose('logoUrl', { type: 'URL', nullable: true }),
    country: t.expose('country', { type: 'CountryCode' }),
    addressLine1: t.exposeString('addressLine1', { nullable: true }),
    addressLine2: t.exposeString('addressLine2', { nullable: true }),
    city: t.exposeString('city', { nullable: true }),
    postalCode: t.exposeString('postalCode', { nullable: true }),
    vatNumber: t.exposeString('vatNumber', { nullable: true }),
    phone: t.expose('phone', { type: 'PhoneNumber', nullable: true, description: 'E.164.' }),
    isDefault: t.exposeBoolean('isDefault'),
    tenantId: t.exposeID('tenantId'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const OrganizationOwnerInput = builder.inputType('OrganizationOwnerInput', {
  description: 'The person who owns the organization: an existing user (the password must match) or a new one.',
  fields: (t) => ({
    email: t.field({ type: 'EmailAddress', required: true }),
    password: t.string({ required: true }),
  }),
});

const CreateOrganizationInput = builder.inputType('CreateOrganizationInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    country: t.field({ type: 'CountryCode', required: true }),
    owner: t.field({
      type: OrganizationOwnerInput,
      required: false,
      description: 'Who may sign in to grant platforms access (STANDARD accounts).',
    }),
  }),
});

const CreateOrganizationPayload = builder.objectRef<ProvisionedOrganization & { apiKey: ApiKey }>('CreateOrganizationPayload').implement({
  fields: (t) => ({
    organization: t.expose('organization', { type: OrganizationType }),
    tenant: t.expose('tenant', { type: TenantType }),
    invoicingEntity: t.expose('invoicingEntity', { type: InvoicingEntityType }),
    apiKey: t.expose('apiKey', { type: ApiKeyType, description: 'The first key of the production tenant, with its secret.' }),
  }),
});

builder.mutationField('createOrganization', (t) =>
  t.field({
    type: CreateOrganizationPayload,
    description: 'Admin only (x-admin-secret): a new organization with its production tenant and a first API key.',
    skipTypeScopes: true,
    authScopes: { admin: true },
    errors: { types: [ValidationError, InvalidCredentialsError] },
    args: { input: t.arg({ type: CreateOrganizationInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const created = await createOrganizationWithKey(context.crossTenant('organization-bootstrap'), input);
      context.log.info({ organizationId: created.organization.id }, 'organization created by admin');
      return { ...created, apiKey: withIssuedSecret(created.apiKey) };
    },
  }),
);
