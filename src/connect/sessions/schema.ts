// GraphQL for account sessions: the platform mints and revokes them; a session asks what it is.
import { ConnectNotEnabledError, InvalidStateError, NotFoundError } from '../../core/domain-errors.ts';
import { AccountSessionComponent } from '../../generated/prisma/enums.ts';
import { builder } from '../../graphql/builder.ts';
import { actorOf } from '../../graphql/context.ts';
import { connectField } from '../../graphql/permissions.ts';
import { ConnectedAccountStatusEnum } from '../accounts/schema-enums.ts';
import { platformBrand, type Brand } from '../platform/branding.ts';
import { ACCOUNT_SESSION_TTL_MS, createAccountSession, revokeAccountSession, type MintedAccountSession } from './service.ts';
import { onboardingOf, sessionWithAccount, type EmbeddedOnboarding } from './embedded-onboarding.ts';
import type { AccountSession } from '../../generated/prisma/client.ts';
import type { ConnectedAccountStatus } from '../../generated/prisma/enums.ts';

export const AccountSessionComponentEnum = builder.enumType(AccountSessionComponent, {
  name: 'AccountSessionComponent',
  description:
    'What an account session may do. ACCOUNT_ONBOARDING: onboard a PENDING EXPRESS account. ACCOUNT_MANAGEMENT: view and edit an ' +
    "ACTIVE EXPRESS account's business details. NOTIFICATION_BANNER: what is due. CONNECTIONS: the account's provider connections " +
    '(secrets are never readable). EVENTS: its events, live too.',
});

export const AccountSessionType = builder.prismaNode('AccountSession', {
  id: { field: 'id' },
  description: "A platform's short-lived browser credential for one connected account. Its client secret is shown only when it is created.",
  fields: (t) => ({
    connectedAccountId: t.exposeID('connectedAccountId'),
    components: t.expose('components', { type: [AccountSessionComponentEnum] }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

const CreateAccountSessionInput = builder.inputType('CreateAccountSessionInput', {
  fields: (t) => ({
    connectedAccountId: t.id({ required: true }),
    components: t.field({ type: [AccountSessionComponentEnum], required: true, description: 'At least one, each once.' }),
  }),
});

const CreateAccountSessionPayload = builder.objectRef<MintedAccountSession>('CreateAccountSessionPayload').implement({
  fields: (t) => ({
    accountSession: t.field({ type: AccountSessionType, resolve: ({ session }) => session }),
    clientSecret: t.exposeString('clientSecret', {
      description:
        'acs_secret_…: hand it to your page, which sends it as "Authorization: Bearer <client secret>". Shown here only, never again.',
    }),
  }),
});

builder.mutationField('createAccountSession', (t) =>
  t.field({
    type: CreateAccountSessionPayload,
    description:
      `A session (${ACCOUNT_SESSION_TTL_MS / 60_000} minutes) for one of the platform's EXPRESS accounts, for its pages at allowedOrigins. ` +
      "Only the platform's own production keys mint one. ACCOUNT_ONBOARDING needs a PENDING account, the others an ACTIVE one " +
      '(ACCOUNT_MANAGEMENT an EXPRESS one); INVALID_STATE when none of the components fits, or the platform names no allowedOrigins. ' +
      'It ends when revoked, when it expires, when its account leaves the state its components need, or when the key that minted it is revoked.',
    ...connectField,
    errors: { types: [NotFoundError, InvalidStateError, ConnectNotEnabledError] },
    args: { input: t.arg({ type: CreateAccountSessionInput, required: true }) },
    resolve: (_root, { input }, context) => createAccountSession(context.db, actorOf(context), input),
  }),
);

const RevokeAccountSessionInput = builder.inputType('RevokeAccountSessionInput', {
  fields: (t) => ({ id: t.id({ required: true }) }),
});

const RevokeAccountSessionPayload = builder.objectRef<{ accountSession: AccountSession }>('RevokeAccountSessionPayload').implement({
  fields: (t) => ({ accountSession: t.expose('accountSession', { type: AccountSessionType }) }),
});

builder.mutationField('revokeAccountSession', (t) =>
  t.field({
    type: RevokeAccountSessionPayload,
    description: 'Ends the session at once, in every server process. Revoking it again changes nothing.',
    ...connectField,
    errors: { types: [NotFoundError] },
    args: { input: t.arg({ type: RevokeAccountSessionInput, required: true }) },
    resolve: async (_root, { input }, context) => ({
      accountSession: await revokeAccountSession(context.db, actorOf(context), String(input.id)),
    }),
  }),
);

interface AccountSessionView {
  session: AccountSession;
  accountStatus: ConnectedAccountStatus;
  brand: Brand;
  onboarding: EmbeddedOnboarding | null;
}

const EmbeddedOnboardingStepEnum = builder.enumType('EmbeddedOnboardingStep', {
  values: ['SIGN_IN_OR_SIGN_UP', 'VERIFY_EMAIL', 'BUSINESS_DETAILS', 'COMPLETED'] as const,
  description: 'Where the embedded onboarding is: who the person is, the e-mail code, the business details, done.',
});

export const EmbeddedOnboardingType = builder.objectRef<EmbeddedOnboarding>('EmbeddedOnboarding').implement({
  fields: (t) => ({
    step: t.expose('step', { type: EmbeddedOnboardingStepEnum }),
    email: t.expose('email', {
      type: 'EmailAddress',
      nullable: true,
      description: 'The e-mail given, else the one the platform pre-filled.',
    }),
    organizationName: t.exposeString('organizationName', { nullable: true, description: 'Pre-filled by the platform.' }),
    country: t.expose('country', { type: 'CountryCode', nullable: true, description: 'Pre-filled by the platform.' }),
  }),
});

const AccountSessionBrandingType = builder.objectRef<Brand>('AccountSessionBranding').implement({
  fields: (t) => ({
    platformName: t.exposeString('name'),
    logoUrl: t.expose('logoUrl', { type: 'URL', nullable: true }),
  }),
});

const AccountSessionViewType = builder.objectRef<AccountSessionView>('AccountSessionView').implement({
  description: 'What an account session is, as the page holding it sees it.',
  fields: (t) => ({
    id: t.id({ resolve: ({ session }) => session.id }),
    components: t.field({ type: [AccountSessionComponentEnum], resolve: ({ session }) => session.components }),
    expiresAt: t.field({ type: 'DateTime', resolve: ({ session }) => session.expiresAt }),
    connectedAccountId: t.id({ resolve: ({ session }) => session.connectedAccountId }),
    accountStatus: t.expose('accountStatus', { type: ConnectedAccountStatusEnum }),
    branding: t.expose('brand', { type: AccountSessionBrandingType }),
    onboarding: t.expose('onboarding', {
      type: EmbeddedOnboardingType,
      nullable: true,
      description: 'The embedded onboarding: null unless the session has ACCOUNT_ONBOARDING.',
    }),
  }),
});

builder.queryField('accountSession', (t) =>
  t.field({
    type: AccountSessionViewType,
    nullable: true,
    description: 'The account session asking: its components, its account and the platform it belongs to. Null for an API key.',
    skipTypeScopes: true,
    resolve: async (_root, _args, context) => {
      const caller = context.actor?.session;
      if (!caller) return null;
      const prisma = context.crossTenant('account-session');
      const { connectedAccount, ...session } = await sessionWithAccount(prisma, caller.id);
      return {
        session,
        accountStatus: connectedAccount.status,
        brand: await platformBrand(prisma, session.platformOrganizationId),
        onboarding: session.components.includes('ACCOUNT_ONBOARDING') ? onboardingOf({ ...session, connectedAccount }) : null,
      };
    },
  }),
);
