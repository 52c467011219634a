// GraphQL for sub-accounts and the platform's catalog. Inputs take e-mails, phones and URLs as
// strings so that a bad one is a typed VALIDATION error naming the field, not a parse failure.
import { ConflictError, InvalidStateError, NotFoundError, ValidationError } from '../core/domain-errors.ts';
import { builder } from '../graphql/builder.ts';
import { grantedField, subAccountManagerField } from '../graphql/permissions.ts';
import { actorOf } from '../graphql/context.ts';
import { dateTimeRange, DateTimeFilter, orderByInput } from '../graphql/lists.ts';
import { typeNameOf } from '../graphql/type-names.ts';
import { ApiKeyType, withIssuedSecret } from '../api-keys/schema.ts';
import { createSubAccount, updateSubAccount, type SubAccountResult } from './service.ts';
import { changeSubAccountStatus } from './lifecycle.ts';
import {
  LegalEntityTypeEnum,
  SubAccountStatusEnum,
  SubAccountStatusReasonEnum,
  SubAccountType,
  subAccountPayload,
} from './sub-account-type.ts';
import './key-schema.ts';

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
    status: t.field({ type: [SubAccountStatusEnum], required: false }),
    createdAt: t.field({ type: DateTimeFilter, required: false }),
  }),
});

function subAccountWhere(filter: typeof SubAccountFilter.$inferInput | null | undefined) {
  return {
    ...(filter?.search ? { accountName: { contains: filter.search, mode: 'insensitive' as const } } : {}),
    ...(filter?.legalEntityType ? { legalEntityType: { in: filter.legalEntityType } } : {}),
    ...(filter?.status ? { status: { in: filter.status } } : {}),
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
  accountName: t.string({
    required,
    description: 'Unique per platform tenant (production and each sandbox apart), in any letter case; only the platform changes it.',
  }),
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
    created: t.exposeBoolean('created', {
      description: 'false: the name existed, this is that sub-account (its provisioned key refreshed).',
    }),
    apiKey: t.field({
      type: ApiKeyType,
      nullable: true,
      description:
        'The new provisioned key with its secret, shown only here; the key this mutation provisioned before stops working (named keys stay).',
      resolve: ({ apiKey }) => (apiKey ? withIssuedSecret(apiKey) : null),
    }),
  }),
});

builder.mutationField('createSubAccount', (t) =>
  t.field({
    ...subAccountManagerField,
    type: CreateSubAccountPayload,
    description:
      'Idempotent by accountName: the same name again, in any letter case, returns the existing sub-account with its provisioned key refreshed (named keys stay); a deactivated one is INVALID_STATE.',
    errors: { types: [ValidationError, ConflictError, InvalidStateError] },
    args: { input: t.arg({ type: CreateSubAccountInput, required: true }) },
    resolve: (_root, { input }, context) =>
      createSubAccount(context.crossTenant('sub-account-provisioning'), context.db, actorOf(context), input),
  }),
);

const UpdateSubAccountInput = builder.inputType('UpdateSubAccountInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    ...profileStringFields(t, false),
    address: t.field({ type: SubAccountAddressInput, required: false, description: 'Replaces the whole address.' }),
    legalEntityType: t.field({ type: LegalEntityTypeEnum, required: false }),
    permissiblePurposeIds: t.idList({
      required: false,
      description:
        'With accountPackageIds, one choice as on create: give either or both and they replace the current purposes and packages (a field left out counts as empty); leave both out to keep them. Platform only.',
    }),
    accountPackageIds: t.idList({ required: false, description: 'See permissiblePurposeIds. Platform only.' }),
  }),
});

builder.mutationField('updateSubAccount', (t) =>
  t.field({
    ...grantedField('subaccounts:write'),
    type: subAccountPayload('UpdateSubAccountPayload'),
    description:
      'By the platform, or by the sub-account itself with its own key (which cannot change accountName, permissiblePurposeIds or accountPackageIds). Absent fields stay; null clears an optional one.',
    errors: { types: [ValidationError, NotFoundError, ConflictError] },
    args: { input: t.arg({ type: UpdateSubAccountInput, required: true }) },
    resolve: async (_root, { input: { id, ...fields } }, context) => ({
      subAccount: await updateSubAccount(context.db, actorOf(context), id, fields),
    }),
  }),
);

const DeactivateSubAccountInput = builder.inputType('DeactivateSubAccountInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    reason: t.field({ type: SubAccountStatusReasonEnum, required: false, description: 'Kept as statusReason until reactivation.' }),
  }),
});

const ReactivateSubAccountInput = builder.inputType('ReactivateSubAccountInput', {
  fields: (t) => ({ id: t.id({ required: true }) }),
});

const lifecycleMutations = {
  deactivateSubAccount: {
    action: 'deactivate',
    Input: DeactivateSubAccountInput,
    description:
      'ACTIVE → DEACTIVATED: its keys are refused (403 SUB_ACCOUNT_DEACTIVATED) from the next request; its data and keys are kept.',
  },
  reactivateSubAccount: {
    action: 'reactivate',
    Input: ReactivateSubAccountInput,
    description: 'DEACTIVATED → ACTIVE: its unrevoked keys work again.',
  },
} as const;

for (const [name, { action, Input, description }] of Object.entries(lifecycleMutations)) {
  builder.mutationField(name, (t) =>
    t.field({
      type: subAccountPayload(`${typeNameOf(name)}Payload`),
      description: `${description} Platform only (not while acting on behalf, not with a sub-account's key).`,
      authScopes: { platform: true },
      errors: { types: [NotFoundError, InvalidStateError] },
      args: { input: t.arg({ type: Input, required: true }) },
      resolve: async (_root, { input }, context) => ({
        subAccount: await changeSubAccountStatus(context.db, actorOf(context), input, action),
      }),
    }),
  );
}
