// GraphQL for sub-accounts and the platform's catalog. Inputs take e-mails, phones and URLs as
// strings so that a bad one is a typed VALIDATION error naming the field, not a parse failure.
import type { ApiKey, SubAccount } from '../generated/prisma/client.ts';
import { LegalEntityType } from '../generated/prisma/enums.ts';
import { ApiKeyType, withIssuedSecret } from '../api-keys/schema.ts';
import { ConflictError, NotFoundError, ValidationError } from '../core/domain-errors.ts';
import { builder } from '../graphql/builder.ts';
import { grantedField, subAccountManagerField } from '../graphql/permissions.ts';
import { actorOf } from '../graphql/context.ts';
import { dateTimeRange, DateTimeFilter, orderByInput } from '../graphql/lists.ts';
import { AccountPackageType, PermissiblePurposeType } from './catalog-schema.ts';
import {
  createSubAccount,
  revokeSubAccountKey,
  rotateSubAccountKey,
  subAccountKeys,
  updateSubAccount,
  type SubAccountResult,
} from './service.ts';

const LegalEntityTypeEnum = builder.enumType(LegalEntityType, { name: 'LegalEntityType' });

const SubAccountAddressType = builder.objectRef<SubAccount>('SubAccountAddress').implement({
  fields: (t) => ({
    line1: t.string({ resolve: (account) => account.addressLine1 }),
    line2: t.string({ nullable: true, resolve: (account) => account.addressLine2 }),
    city: t.string({ resolve: (account) => account.addressCity }),
    state: t.string({ nullable: true, resolve: (account) => account.addressState }),
    postalCode: t.string({ resolve: (account) => account.addressPostalCode }),
    country: t.field({ type: 'CountryCode', resolve: (account) => account.addressCountry }),
  }),
});

/** The optional profile fields, by the scalar they are shown as. */
const optionalEmails = ['techEmailAddress', 'supportEmailAddress', 'complianceEmailAddress', 'actionsEmailAddress', 'billingEmail'] as const;
const optionalPhones = ['supportPhone', 'companyPhoneNumber'] as const;
const optionalTexts = [
  'additionalCompanyInfo', 'ownerTitle', 'legalBusinessName', 'stateOfIncorporation', 'ein',
  'billingContactFirstName', 'billingContactLastName',
] as const;

const SubAccountType = builder.prismaNode('SubAccount', {
  id: { field: 'id' },
  description: 'A child account of the platform, with its own organization, tenant and API keys.',
  fields: (t) => ({
    accountName: t.exposeString('accountName', { description: 'Unique per platform, in any letter case.' }),
    firstName: t.exposeString('firstName'),
    lastName: t.exposeString('lastName'),
    emailAddress: t.expose('emailAddress', { type: 'EmailAddress' }),
    address: t.field({ type: SubAccountAddressType, resolve: (account) => account }),
    url: t.expose('url', { type: 'URL', nullable: true }),
    ...Object.fromEntries(optionalEmails.map((name) => [name, t.expose(name, { type: 'EmailAddress', nullable: true })])),
    ...Object.fromEntries(optionalPhones.map((name) => [name, t.expose(name, { type: 'PhoneNumber', nullable: true, description: 'E.164.' })])),
    ...Object.fromEntries(optionalTexts.map((name) => [name, t.exposeString(name, { nullable: true })])),
    legalEntityType: t.expose('legalEntityType', { type: LegalEntityTypeEnum, nullable: true }),
    permissiblePurposes: t.field({
      type: [PermissiblePurposeType],
      description: 'Every purpose it may use, given directly or through its packages.',
      select: { purposes: { include: { permissiblePurpose: true } } },
      resolve: (account) => account.purposes.map((link) => link.permissiblePurpose),
    }),
    accountPackages: t.field({
      type: [AccountPackageType],
      select: { packages: { include: { accountPackage: true } } },
      resolve: (account) => account.packages.map((link) => link.accountPackage),
    }),
    apiKeys: t.field({
      type: [ApiKeyType],
      description: 'Its keys, metadata only (never secrets).',
      resolve: (account, _args, context) => subAccountKeys(context.crossTenant('sub-account-provisioning'), account),
    }),
    platformOrganizationId: t.exposeID('platformOrganizationId'),
    organizationId: t.exposeID('organizationId'),
    tenantId: t.exposeID('tenantId'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

builder.queryField('subAccount', (t) =>
  t.prismaField({
    ...grantedField('subaccounts:read'),
    type: SubAccountType,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, { id }, context) => context.db.subAccount.findUnique({ ...query, where: { id } }),
  }),
);

const subAccountOrder = orderByInput('SubAccount', { CREATED_AT: 'createdAt', ACCOUNT_NAME: 'accountName' });

const SubAccountFilter = builder.inputType('SubAccountFilter', {
  fields: (t) => ({
    search: t.string({ required: false, description: 'Part of the account name, any case.' }),
    legalEntityType: t.field({ type: [LegalEntityTypeEnum], required: false }),
    createdAt: t.field({ type: DateTimeFilter, required: false }),
  }),
});

function subAccountWhere(filter: typeof SubAccountFilter.$inferInput | null | undefined) {
  return {
    ...(filter?.search ? { accountName: { contains: filter.search, mode: 'insensitive' as const } } : {}),
    ...(filter?.legalEntityType ? { legalEntityType: { in: filter.legalEntityType } } : {}),
    ...(filter?.createdAt ? { createdAt: dateTimeRange(filter.createdAt) } : {}),
  };
}

builder.queryField('subAccounts', (t) =>
  t.prismaConnection(
    {
      ...grantedField('subaccounts:read'),
      type: 'SubAccount',
      cursor: 'id',
      args: {
        filter: t.arg({ type: SubAccountFilter, required: false }),
        orderBy: t.arg({ type: subAccountOrder.OrderBy, required: false }),
      },
      resolve: (query, _root, args, context) =>
        context.db.subAccount.findMany({ ...query, where: subAccountWhere(args.filter), orderBy: subAccountOrder.toPrisma(args.orderBy) }),
      totalCount: (_connection, args, context) => context.db.subAccount.count({ where: subAccountWhere(args.filter) }),
    },
    {},
  ),
);

const SubAccountAddressInput = builder.inputType('SubAccountAddressInput', {
  fields: (t) => ({
    line1: t.string({ required: true }),
    line2: t.string({ required: false }),
    city: t.string({ required: true }),
    state: t.string({ required: false }),
    postalCode: t.string({ required: true }),
    country: t.string({ required: true, description: 'ISO 3166-1 alpha-2.' }),
  }),
});

type ProfileFieldBuilder = PothosSchemaTypes.InputFieldBuilder<typeof builder.$inferSchemaTypes, 'InputObject'>;

/**
 * The profile's string fields, shared by both inputs and written out by name, so that the inputs'
 * types are the services' input types (profile.ts validates every value). `required`: on create.
 */
const profileStringFields = <Required extends boolean>(t: ProfileFieldBuilder, required: Required) => ({
  accountName: t.string({ required, description: 'Unique per platform, in any letter case; only the platform changes it.' }),
  firstName: t.string({ required }),
  lastName: t.string({ required }),
  emailAddress: t.string({ required, description: "The owner's e-mail." }),
  url: t.string({ required: false }),
  techEmailAddress: t.string({ required: false }),
  supportEmailAddress: t.string({ required: false }),
  complianceEmailAddress: t.string({ required: false }),
  actionsEmailAddress: t.string({ required: false }),
  billingEmail: t.string({ required: false }),
  supportPhone: t.string({ required: false }),
  companyPhoneNumber: t.string({ required: false }),
  additionalCompanyInfo: t.string({ required: false }),
  ownerTitle: t.string({ required: false }),
  legalBusinessName: t.string({ required: false }),
  stateOfIncorporation: t.string({ required: false }),
  ein: t.string({ required: false }),
  billingContactFirstName: t.string({ required: false }),
  billingContactLastName: t.string({ required: false }),
});

const CreateSubAccountInput = builder.inputType('CreateSubAccountInput', {
  fields: (t) => ({
    ...profileStringFields(t, true),
    address: t.field({ type: SubAccountAddressInput, required: true }),
    legalEntityType: t.field({ type: LegalEntityTypeEnum, required: false }),
    permissiblePurposeIds: t.idList({ required: false }),
    accountPackageIds: t.idList({ required: false }),
    createApiKey: t.boolean({ required: false, defaultValue: true, description: 'false: make no key.' }),
  }),
});

const CreateSubAccountPayload = builder.objectRef<SubAccountResult>('CreateSubAccountPayload').implement({
  fields: (t) => ({
    subAccount: t.expose('subAccount', { type: SubAccountType }),
    created: t.exposeBoolean('created', { description: 'false: the name existed, this is that sub-account (its key refreshed).' }),
    apiKey: t.field({
      type: ApiKeyType,
      nullable: true,
      description: 'The new key with its secret, shown only here; any previous key of the sub-account stops working.',
      resolve: ({ apiKey }) => (apiKey ? withIssuedSecret(apiKey) : null),
    }),
  }),
});

builder.mutationField('createSubAccount', (t) =>
  t.field({
    ...subAccountManagerField,
    type: CreateSubAccountPayload,
    description: 'Idempotent by accountName: the same name again, in any letter case, returns the existing sub-account with a refreshed key.',
    errors: { types: [ValidationError, ConflictError] },
    args: { input: t.arg({ type: CreateSubAccountInput, required: true }) },
    resolve: (_root, { input }, context) => createSubAccount(context.crossTenant('sub-account-provisioning'), context.db, actorOf(context), input),
  }),
);

const UpdateSubAccountInput = builder.inputType('UpdateSubAccountInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    ...profileStringFields(t, false),
    address: t.field({ type: SubAccountAddressInput, required: false, description: 'Replaces the whole address.' }),
    legalEntityType: t.field({ type: LegalEntityTypeEnum, required: false }),
  }),
});

const subAccountPayload = (name: string) =>
  builder.objectRef<{ subAccount: SubAccount }>(name).implement({
    fields: (t) => ({ subAccount: t.expose('subAccount', { type: SubAccountType }) }),
  });

builder.mutationField('updateSubAccount', (t) =>
  t.field({
    ...grantedField('subaccounts:write'),
    type: subAccountPayload('UpdateSubAccountPayload'),
    description:
      'By the platform, or by the sub-account itself with its own key (which cannot change accountName). Absent fields stay; null clears an optional one.',
    errors: { types: [ValidationError, NotFoundError, ConflictError] },
    args: { input: t.arg({ type: UpdateSubAccountInput, required: true }) },
    resolve: async (_root, { input: { id, ...fields } }, context) => ({
      subAccount: await updateSubAccount(context.db, actorOf(context), id, fields),
    }),
  }),
);

const RotateSubAccountApiKeyInput = builder.inputType('RotateSubAccountApiKeyInput', {
  fields: (t) => ({ subAccountId: t.id({ required: true }) }),
});

builder.mutationField('rotateSubAccountApiKey', (t) =>
  t.field({
    ...subAccountManagerField,
    type: builder.objectRef<{ subAccount: SubAccount; apiKey: ApiKey }>('RotateSubAccountApiKeyPayload').implement({
      fields: (f) => ({
        subAccount: f.expose('subAccount', { type: SubAccountType }),
        apiKey: f.expose('apiKey', { type: ApiKeyType, description: 'The new key with its secret; every earlier key is revoked.' }),
      }),
    }),
    errors: { types: [NotFoundError] },
    args: { input: t.arg({ type: RotateSubAccountApiKeyInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const rotated = await rotateSubAccountKey(context.crossTenant('sub-account-provisioning'), context.db, actorOf(context), input.subAccountId);
      return { subAccount: rotated.subAccount, apiKey: withIssuedSecret(rotated.apiKey) };
    },
  }),
);

const RevokeSubAccountApiKeyInput = builder.inputType('RevokeSubAccountApiKeyInput', {
  fields: (t) => ({ subAccountId: t.id({ required: true }), apiKeyId: t.id({ required: true }) }),
});

builder.mutationField('revokeSubAccountApiKey', (t) =>
  t.field({
    ...subAccountManagerField,
    type: builder.objectRef<{ apiKey: ApiKey }>('RevokeSubAccountApiKeyPayload').implement({
      fields: (f) => ({ apiKey: f.expose('apiKey', { type: ApiKeyType }) }),
    }),
    errors: { types: [NotFoundError] },
    args: { input: t.arg({ type: RevokeSubAccountApiKeyInput, required: true }) },
    resolve: async (_root, { input }, context) => ({
      apiKey: await revokeSubAccountKey(context.crossTenant('sub-account-provisioning'), context.db, actorOf(context), input),
    }),
  }),
);
