// GraphQL for the embedded onboarding (ACCOUNT_ONBOARDING): an account session's own mutations. The
// session's row and the completion cross tenants by design (the named flow 'account-session'); the
// session is the actor's, never an argument.
import { ConflictError, InvalidCredentialsError, InvalidStateError } from '../../core/domain-errors.ts';
import { builder } from '../../graphql/builder.ts';
import type { Context } from '../../graphql/context.ts';
import type { SessionCaller } from '../../auth/actor.ts';
import { unauthenticated } from '../../auth/request-errors.ts';
import type { CompletedOnboarding } from '../onboarding/service.ts';
import { EmbeddedOnboardingType } from './schema.ts';
import {
  embeddedComplete,
  embeddedSignIn,
  embeddedSignUp,
  embeddedVerifyEmail,
  MAX_CODE_FAILURES,
  type EmbeddedOnboarding,
} from './embedded-onboarding.ts';

const sessionField = { skipTypeScopes: true, authScopes: { accountSession: true } } as const;

function sessionOf(context: Context): SessionCaller {
  const session = context.actor?.session;
  if (!session) throw unauthenticated('An account session is required.');
  return session;
}

const sourceOf = (context: Context) => ({ limits: context.rateLimits, client: context.clientAddress });
const prismaOf = (context: Context) => context.crossTenant('account-session');

const EmbeddedOnboardingPayload = (name: string) =>
  builder.objectRef<{ onboarding: EmbeddedOnboarding }>(name).implement({
    fields: (t) => ({ onboarding: t.expose('onboarding', { type: EmbeddedOnboardingType }) }),
  });

const SignInInput = builder.inputType('EmbeddedOnboardingSignInInput', {
  fields: (t) => ({ email: t.field({ type: 'EmailAddress', required: true }), password: t.string({ required: true }) }),
});

builder.mutationField('embeddedOnboardingSignIn', (t) =>
  t.field({
    type: EmbeddedOnboardingPayload('EmbeddedOnboardingSignInPayload'),
    description:
      'An existing user signs in; the step becomes BUSINESS_DETAILS. An unknown e-mail and a wrong password get the same INVALID_CREDENTIALS; ' +
      'failed sign-ins are limited per e-mail, client and session (top-level RATE_LIMITED, 429, Retry-After).',
    ...sessionField,
    errors: { types: [InvalidCredentialsError, InvalidStateError] },
    args: { input: t.arg({ type: SignInInput, required: true }) },
    resolve: async (_root, { input }, context) => ({
      onboarding: await embeddedSignIn(prismaOf(context), sourceOf(context), sessionOf(context).id, input),
    }),
  }),
);

const SignUpInput = builder.inputType('EmbeddedOnboardingSignUpInput', {
  fields: (t) => ({ email: t.field({ type: 'EmailAddress', required: true }) }),
});

builder.mutationField('embeddedOnboardingSignUp', (t) =>
  t.field({
    type: EmbeddedOnboardingPayload('EmbeddedOnboardingSignUpPayload'),
    description:
      'Sends a 6-digit code to the e-mail (an address that already has an account gets a message to sign in instead; the answer is the same); ' +
      'the step becomes VERIFY_EMAIL. Asking again sends a new code. Limited per address, session and client (RATE_LIMITED).',
    ...sessionField,
    errors: { types: [InvalidStateError] },
    args: { input: t.arg({ type: SignUpInput, required: true }) },
    resolve: async (_root, { input }, context) => ({
      onboarding: await embeddedSignUp(prismaOf(context), sourceOf(context), sessionOf(context).id, input.email, context.clock.now()),
    }),
  }),
);

const VerifyEmailInput = builder.inputType('EmbeddedOnboardingVerifyEmailInput', {
  fields: (t) => ({
    code: t.string({ required: true, description: 'The 6 digits from the e-mail (valid 15 minutes).' }),
    password: t.string({ required: true, description: 'The new user’s password, 8 to 200 characters.' }),
  }),
});

builder.mutationField('embeddedOnboardingVerifyEmail', (t) =>
  t.field({
    type: EmbeddedOnboardingPayload('EmbeddedOnboardingVerifyEmailPayload'),
    description: `The code and a password: the step becomes BUSINESS_DETAILS. A wrong code is VALIDATION on input.code; after ${MAX_CODE_FAILURES} the code is dropped (sign up again).`,
    ...sessionField,
    errors: { types: [InvalidStateError] },
    args: { input: t.arg({ type: VerifyEmailInput, required: true }) },
    resolve: async (_root, { input }, context) => ({
      onboarding: await embeddedVerifyEmail(prismaOf(context), sessionOf(context).id, input, context.clock.now()),
    }),
  }),
);

const CompleteInput = builder.inputType('EmbeddedOnboardingCompleteInput', {
  fields: (t) => ({
    organizationName: t.string({ required: true }),
    country: t.field({ type: 'CountryCode', required: true }),
    legalName: t.string({ required: false }),
    addressLine1: t.string({ required: false }),
    addressLine2: t.string({ required: false }),
    city: t.string({ required: false }),
    postalCode: t.string({ required: false }),
    vatNumber: t.string({ required: false }),
    phone: t.string({ required: false, description: 'E.164, e.g. +14155550123.' }),
  }),
});

const CompletePayload = builder.objectRef<CompletedOnboarding>('EmbeddedOnboardingCompletePayload').implement({
  fields: (t) => ({
    connectedAccountId: t.exposeID('connectedAccountId'),
    organizationId: t.exposeID('organizationId'),
    tenantId: t.exposeID('tenantId'),
  }),
});

builder.mutationField('embeddedOnboardingComplete', (t) =>
  t.field({
    type: CompletePayload,
    description:
      'The business details: creates the organization, its production tenant and invoicing entity and activates the account, all at once ' +
      'or not at all, as completeOnboarding does. They must include what the platform requires (VALIDATION names each missing field).',
    ...sessionField,
    errors: { types: [InvalidStateError, ConflictError] },
    args: { input: t.arg({ type: CompleteInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const completed = await embeddedComplete(prismaOf(context), sessionOf(context).id, input, context.clock.now());
      context.log.info({ connectedAccountId: completed.connectedAccountId }, 'embedded onboarding completed');
      return completed;
    },
  }),
);
