// GraphQL for the acting tenant's business details (ACCOUNT_MANAGEMENT's fields): read and edit.
import { InvalidStateError } from '../../core/domain-errors.ts';
import { builder } from '../../graphql/builder.ts';
import { actorOf } from '../../graphql/context.ts';
import { tenantBusinessDetails, updateTenantBusinessDetails, type TenantBusinessDetails } from './tenant-business-details.ts';

const BusinessDetailsType = builder.objectRef<TenantBusinessDetails>('BusinessDetails').implement({
  description: "The acting tenant's invoicing details (its default invoicing entity) and its organization's name.",
  fields: (t) => ({
    organizationName: t.exposeString('organizationName'),
    country: t.expose('country', { type: 'CountryCode' }),
    legalName: t.exposeString('legalName', { nullable: true }),
    addressLine1: t.exposeString('addressLine1', { nullable: true }),
    addressLine2: t.exposeString('addressLine2', { nullable: true }),
    city: t.exposeString('city', { nullable: true }),
    postalCode: t.exposeString('postalCode', { nullable: true }),
    vatNumber: t.exposeString('vatNumber', { nullable: true }),
    phone: t.exposeString('phone', { nullable: true, description: 'E.164.' }),
  }),
});

builder.queryField('businessDetails', (t) =>
  t.field({
    type: BusinessDetailsType,
    nullable: true,
    description:
      "The acting tenant's business details: an organization's own, or an ACTIVE EXPRESS account's while acting for it. Null when it has no default invoicing entity.",
    resolve: (_root, _args, context) => tenantBusinessDetails(context.db, actorOf(context)),
  }),
);

const UpdateBusinessDetailsInput = builder.inputType('UpdateBusinessDetailsInput', {
  fields: (t) => ({
    organizationName: t.string({ required: false }),
    country: t.field({ type: 'CountryCode', required: false }),
    legalName: t.string({ required: false }),
    addressLine1: t.string({ required: false }),
    addressLine2: t.string({ required: false }),
    city: t.string({ required: false }),
    postalCode: t.string({ required: false }),
    vatNumber: t.string({ required: false }),
    phone: t.string({ required: false, description: 'E.164, e.g. +14155550123.' }),
  }),
});

const UpdateBusinessDetailsPayload = builder
  .objectRef<{ businessDetails: TenantBusinessDetails }>('UpdateBusinessDetailsPayload')
  .implement({
    fields: (t) => ({ businessDetails: t.expose('businessDetails', { type: BusinessDetailsType }) }),
  });

builder.mutationField('updateBusinessDetails', (t) =>
  t.field({
    type: UpdateBusinessDetailsPayload,
    description:
      'Changes the given details (left out: unchanged; null or blank: cleared, except the names). For a connected account, checked against ' +
      'what its platform requires now (VALIDATION per field), and its platform is told with connected_account.updated.',
    errors: { types: [InvalidStateError] },
    args: { input: t.arg({ type: UpdateBusinessDetailsInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const actor = actorOf(context);
      const flow = context.crossTenant('connected-account-business-details');
      return { businessDetails: await updateTenantBusinessDetails(context.db, flow, actor, input) };
    },
  }),
);
