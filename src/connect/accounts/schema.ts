// GraphQL for connected accounts: the types, the platform's queries, and its mutations. The rules
// live in service.ts; resolvers only translate.
import type { ConnectedAccount, OnboardingLink } from '../../generated/prisma/client.ts';
import { ConnectedAccountStatusEnum, ConnectedAccountStatusReasonEnum, ConnectionTypeEnum, OnboardingModeEnum } from './schema-enums.ts';
import { ConnectedAccountRequirementsType } from './requirements-schema.ts';
import { detailsSubmitted } from './requirements.ts';
import { ConnectedAccountEventType, historyEventTypes } from './history-schema.ts';
import { InvalidStateError, NotFoundError, ValidationError, ConnectNotEnabledError } from '../../core/domain-errors.ts';
import { typeNameOf } from '../../graphql/type-names.ts';
import { builder } from '../../graphql/builder.ts';
import { ViewerType } from '../../organizations/viewer-schema.ts';
import { actorOf } from '../../graphql/context.ts';
import { urlPolicyOf } from '../../core/secure-urls.ts';
import { connectField, connectQueryField } from '../../graphql/permissions.ts';
import { dateTimeRange, DateTimeFilter, orderByInput } from '../../graphql/lists.ts';
import { shownOnce } from '../../graphql/shown-once.ts';
import { onboardingUrl } from './links.ts';
import {
  changeAccountStatus,
  createConnectedAccount,
  regenerateOnboardingLink,
  updateConnectedAccount,
  type AccountWithLink,
} from './service.ts';

export const ConnectedAccountType = builder.prismaNode('ConnectedAccount', {
  id: { field: 'id' },
  fields: (t) => ({
    connectionType: t.expose('connectionType', { type: ConnectionTypeEnum }),
    onboardingMode: t.expose('onboardingMode', { type: OnboardingModeEnum }),
    status: t.expose('status', { type: ConnectedAccountStatusEnum }),
    statusReason: t.expose('statusReason', {
      type: ConnectedAccountStatusReasonEnum,
      nullable: true,
      description: 'Why it is SUSPENDED or REVOKED, when the platform said (or the organization disconnected); null once reactivated.',
    }),
    requirements: t.field({ type: ConnectedAccountRequirementsType, resolve: (account) => account }),
    detailsSubmitted: t.boolean({
      description:
        'EXPRESS: whether its onboarding was completed. STANDARD: always, its organization existed with its details before it consented.',
      resolve: detailsSubmitted,
    }),
    platformOrganizationId: t.exposeID('platformOrganizationId'),
    connectedOrganizationId: t.exposeID('connectedOrganizationId', {
      nullable: true,
      description: 'Null for an express account until its onboarding completes.',
    }),
    connectedTenantId: t.exposeID('connectedTenantId', {
      nullable: true,
      description: 'Express: the single tenant. Standard: null (pick one with x-meteroid-tenant).',
    }),
    connectedOrganization: t.relation('connectedOrganization', {
      nullable: true,
      description: 'The organization the account connects, once there is one.',
    }),
    grantedScopes: t.exposeStringList('grantedScopes', {
      description: 'STANDARD: the scopes its organization granted (e.g. connections:read). EXPRESS: empty, everything is granted.',
    }),
    grantedTenantIds: t.exposeIDList('grantedTenantIds', { description: 'STANDARD: the tenants x-meteroid-tenant may name.' }),
    platformCustomerId: t.exposeString('platformCustomerId', { nullable: true }),
    metadata: t.expose('metadata', { type: 'JSON', nullable: true }),
    pendingEmail: t.expose('pendingEmail', { type: 'EmailAddress', nullable: true }),
    pendingOrganizationName: t.exposeString('pendingOrganizationName', { nullable: true }),
    pendingCountry: t.expose('pendingCountry', { type: 'CountryCode', nullable: true }),
    onboardingCompletedAt: t.expose('onboardingCompletedAt', { type: 'DateTime', nullable: true }),
    suspendedAt: t.expose('suspendedAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    events: t.relatedConnection('events', {
      type: ConnectedAccountEventType,
      cursor: 'id',
      description: 'The lifecycle history, oldest first.',
      deprecationReason: 'Use events(filter: { objectId }), which shows every event with its data.',
      totalCount: true,
      query: () => ({ where: { type: { in: historyEventTypes } }, orderBy: { sequence: 'asc' as const } }),
    }),
  }),
});

const issuedTokens = shownOnce<OnboardingLink>();

export const OnboardingLinkType = builder.prismaNode('OnboardingLink', {
  id: { field: 'id' },
  description: 'A single-use, time-limited link to the onboarding page.',
  fields: (t) => ({
    url: t.field({
      type: 'URL',
      nullable: true,
      description: 'The link to send the user: only in the payload that created it (it contains the token).',
      resolve: (link, _args, context) => {
        const token = issuedTokens.read(link);
        return token === null ? null : onboardingUrl(context.config.publicUrl, token);
      },
    }),
    token: t.string({
      nullable: true,
      description: 'The secret token: only in the payload that created it, null everywhere else.',
      resolve: (link) => issuedTokens.read(link),
    }),
    connectedAccountId: t.exposeID('connectedAccountId'),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
    returnUrl: t.expose('returnUrl', {
      type: 'URL',
      nullable: true,
      description: "Where the page sends the user after finishing; null: the platform's redirectUrl.",
    }),
    refreshUrl: t.expose('refreshUrl', {
      type: 'URL',
      nullable: true,
      description: 'Where the page sends a user whose link is expired, used or replaced; null: the page explains what to do.',
    }),
    usedAt: t.expose('usedAt', { type: 'DateTime', nullable: true }),
    invalidatedAt: t.expose('invalidatedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.queryField('connectedAccount', (t) =>
  t.prismaField({
    ...connectQueryField,
    type: ConnectedAccountType,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, { id }, context) => context.db.connectedAccount.findUnique({ ...query, where: { id } }),
  }),
);

const accountOrder = orderByInput('ConnectedAccount', { CREATED_AT: 'createdAt', UPDATED_AT: 'updatedAt' });

const ConnectedAccountFilter = builder.inputType('ConnectedAccountFilter', {
  fields: (t) => ({
    status: t.field({ type: [ConnectedAccountStatusEnum], required: false }),
    connectionType: t.field({ type: [ConnectionTypeEnum], required: false }),
    platformCustomerId: t.string({ required: false }),
    createdAt: t.field({ type: DateTimeFilter, required: false }),
  }),
});

type AccountFilter = typeof ConnectedAccountFilter.$inferInput;

function accountWhere(filter: AccountFilter | null | undefined) {
  return {
    ...(filter?.status ? { status: { in: filter.status } } : {}),
    ...(filter?.connectionType ? { connectionType: { in: filter.connectionType } } : {}),
    ...(filter?.platformCustomerId ? { platformCustomerId: filter.platformCustomerId } : {}),
    ...(filter?.createdAt ? { createdAt: dateTimeRange(filter.createdAt) } : {}),
  };
}

builder.queryField('connectedAccounts', (t) =>
  t.prismaConnection(
    {
      type: 'ConnectedAccount',
      cursor: 'id',
      description: "The platform's connected accounts.",
      ...connectQueryField,
      args: {
        filter: t.arg({ type: ConnectedAccountFilter, required: false }),
        orderBy: t.arg({ type: accountOrder.OrderBy, required: false }),
      },
      resolve: (query, _root, args, context) =>
        context.db.connectedAccount.findMany({ ...query, where: accountWhere(args.filter), orderBy: accountOrder.toPrisma(args.orderBy) }),
      totalCount: (_connection, args, context) => context.db.connectedAccount.count({ where: accountWhere(args.filter) }),
    },
    {},
  ),
);

const AccountWithLinkPayload = (name: string) =>
  builder.objectRef<AccountWithLink>(name).implement({
    fields: (t) => ({
      connectedAccount: t.expose('connectedAccount', { type: ConnectedAccountType }),
      onboardingLink: t.field({
        type: OnboardingLinkType,
        nullable: true,
        description: 'The new onboarding link, with its token and url (shown here only).',
        resolve: ({ onboardingLink }) => onboardingLink && issuedTokens.attach(onboardingLink.link, onboardingLink.token),
      }),
    }),
  });

const returnUrlDescription =
  "Where the hosted page sends the user after finishing (an https URL; http only to localhost, outside production); default: the platform's redirectUrl.";
const refreshUrlDescription =
  'Where the hosted page sends a user whose link is expired, used or replaced, so the platform can issue a new one (an https URL; http only to localhost, outside production); ' +
  'without it the page explains what to do.';

const CreateConnectedAccountInput = builder.inputType('CreateConnectedAccountInput', {
  fields: (t) => ({
    connectionType: t.field({ type: ConnectionTypeEnum, required: true }),
    email: t.field({ type: 'EmailAddress', required: false, description: 'EXPRESS: the email the onboarding page suggests.' }),
    organizationName: t.string({ required: false, description: 'EXPRESS: the organization name the onboarding page suggests.' }),
    country: t.field({ type: 'CountryCode', required: false }),
    metadata: t.field({ type: 'JSONObject', required: false, description: 'At most 50 keys and 8 KiB of JSON.' }),
    platformCustomerId: t.string({ required: false, description: "The platform's own id for this customer." }),
    connectedOrganizationId: t.id({
      required: false,
      description: 'Not accepted: a STANDARD account comes from the OAuth consent of the organization itself.',
    }),
    returnUrl: t.field({ type: 'URL', required: false, description: returnUrlDescription }),
    refreshUrl: t.field({ type: 'URL', required: false, description: refreshUrlDescription }),
  }),
});

builder.mutationField('createConnectedAccount', (t) =>
  t.field({
    type: AccountWithLinkPayload('CreateConnectedAccountPayload'),
    description: 'An EXPRESS account, PENDING, with its first onboarding link.',
    ...connectField,
    errors: { types: [ValidationError, ConnectNotEnabledError] },
    args: { input: t.arg({ type: CreateConnectedAccountInput, required: true }) },
    resolve: (_root, { input }, context) => createConnectedAccount(context.db, actorOf(context), urlPolicyOf(context.config), input),
  }),
);

const RegenerateOnboardingLinkInput = builder.inputType('RegenerateOnboardingLinkInput', {
  fields: (t) => ({
    connectedAccountId: t.id({ required: true }),
    returnUrl: t.field({ type: 'URL', required: false, description: returnUrlDescription }),
    refreshUrl: t.field({ type: 'URL', required: false, description: refreshUrlDescription }),
  }),
});

builder.mutationField('regenerateOnboardingLink', (t) =>
  t.field({
    type: AccountWithLinkPayload('RegenerateOnboardingLinkPayload'),
    description: 'A new onboarding link for a PENDING account; every earlier link stops working at once.',
    ...connectField,
    errors: { types: [NotFoundError, InvalidStateError, ConnectNotEnabledError] },
    args: { input: t.arg({ type: RegenerateOnboardingLinkInput, required: true }) },
    resolve: (_root, { input }, context) => regenerateOnboardingLink(context.db, actorOf(context), urlPolicyOf(context.config), input),
  }),
);

const UpdateConnectedAccountInput = builder.inputType('UpdateConnectedAccountInput', {
  description: 'The fields given change; absent fields stay; null clears.',
  fields: (t) => ({
    id: t.id({ required: true }),
    metadata: t.field({
      type: 'JSONObject',
      required: false,
      description: 'Replaces the metadata as a whole: at most 50 keys and 8 KiB of JSON.',
    }),
    platformCustomerId: t.string({ required: false, description: "The platform's own id for this customer." }),
  }),
});

builder.mutationField('updateConnectedAccount', (t) =>
  t.field({
    type: builder.objectRef<{ connectedAccount: ConnectedAccount }>('UpdateConnectedAccountPayload').implement({
      fields: (f) => ({ connectedAccount: f.expose('connectedAccount', { type: ConnectedAccountType }) }),
    }),
    description: "The platform's own fields of an account. A REVOKED account is final: INVALID_STATE.",
    ...connectField,
    errors: { types: [NotFoundError, InvalidStateError] },
    args: { input: t.arg({ type: UpdateConnectedAccountInput, required: true }) },
    resolve: async (_root, { input }, context) => ({ connectedAccount: await updateConnectedAccount(context.db, actorOf(context), input) }),
  }),
);

const lifecycleMutations = {
  suspendConnectedAccount: {
    action: 'suspend',
    withReason: true,
    description: 'ACTIVE → SUSPENDED: acting on behalf is refused until reactivated.',
  },
  reactivateConnectedAccount: { action: 'reactivate', withReason: false, description: 'SUSPENDED → ACTIVE; clears the statusReason.' },
  revokeConnectedAccount: {
    action: 'revoke',
    withReason: true,
    description: 'PENDING, ACTIVE or SUSPENDED → REVOKED, for good. Invalidates every link; the connected data is kept.',
  },
} as const;

for (const [name, { action, withReason, description }] of Object.entries(lifecycleMutations)) {
  const typeName = typeNameOf(name);
  const Input = builder.inputType(`${typeName}Input`, {
    fields: (t) => ({
      id: t.id({ required: true }),
      ...(withReason
        ? {
            reason: t.field({
              type: ConnectedAccountStatusReasonEnum,
              required: false,
              description: "Kept as the account's statusReason.",
            }),
          }
        : {}),
    }),
  });
  const Payload = builder.objectRef<{ connectedAccount: ConnectedAccount }>(`${typeName}Payload`).implement({
    fields: (t) => ({ connectedAccount: t.expose('connectedAccount', { type: ConnectedAccountType }) }),
  });
  builder.mutationField(name, (t) =>
    t.field({
      type: Payload,
      description,
      ...connectField,
      errors: { types: [NotFoundError, InvalidStateError] },
      args: { input: t.arg({ type: Input, required: true }) },
      resolve: async (_root, { input }, context) => ({
        connectedAccount: await changeAccountStatus(
          context.db,
          actorOf(context),
          input.id,
          action,
          'reason' in input ? input.reason : null,
        ),
      }),
    }),
  );
}

builder.objectField(ViewerType, 'actingAs', (t) =>
  t.field({
    type: ConnectedAccountType,
    nullable: true,
    description: 'The connected account the request acts for (x-meteroid-connect-account), else null.',
    resolve: (caller) => caller.actingAs,
  }),
);
