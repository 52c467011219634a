// GraphQL for the public onboarding page: no API key, the link's token is the credential.
import {
  ConflictError,
  InvalidCredentialsError,
  LinkExpiredError,
  LinkInvalidError,
  LinkUsedError,
  ValidationError,
} from '../../core/domain-errors.ts';
import { builder } from '../../graphql/builder.ts';
import type { Context } from '../../graphql/context.ts';
import { countingFailedLookups } from '../../auth/token-lookups.ts';
import { namesNoLink } from '../accounts/links.ts';
import { completeOnboarding, onboardingSession, type CompletedOnboarding, type OnboardingSession } from './service.ts';

const linkErrors = [LinkExpiredError, LinkUsedError, LinkInvalidError];

const sourceOf = (context: Context) => ({ limits: context.rateLimits, client: context.clientAddress });

const OnboardingBrandingType = builder.objectRef<OnboardingSession>('OnboardingBranding').implement({
  fields: (t) => ({
    platformName: t.exposeString('platformName'),
    logoUrl: t.expose('logoUrl', { type: 'URL', nullable: true }),
  }),
});

const OnboardingSessionType = builder.objectRef<OnboardingSession>('OnboardingSession').implement({
  description: 'What the onboarding page shows for a valid link.',
  fields: (t) => ({
    connectedAccountId: t.exposeID('connectedAccountId'),
    branding: t.field({ type: OnboardingBrandingType, resolve: (session) => session }),
    organizationName: t.exposeString('organizationName', { nullable: true }),
    country: t.expose('country', { type: 'CountryCode', nullable: true }),
    email: t.expose('email', { type: 'EmailAddress', nullable: true }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
  }),
});

builder.queryField('onboardingSession', (t) =>
  t.field({
    type: OnboardingSessionType,
    description:
      'Public: the branding and pre-filled details of an onboarding link, or why it cannot be used. ' +
      'Tokens that name no usable link are limited per client (UNKNOWN_TOKENS_PER_MINUTE; then top-level RATE_LIMITED, 429, Retry-After).',
    skipTypeScopes: true,
    errors: { types: linkErrors },
    args: { token: t.arg.string({ required: true }) },
    resolve: (_root, { token }, context) =>
      countingFailedLookups(
        sourceOf(context),
        () => onboardingSession(context.crossTenant('onboarding-token'), token, context.clock.now()),
        namesNoLink,
      ),
  }),
);

const CompleteOnboardingInput = builder.inputType('CompleteOnboardingInput', {
  fields: (t) => ({
    token: t.string({ required: true }),
    email: t.field({ type: 'EmailAddress', required: true }),
    password: t.string({
      required: true,
      description:
        "The existing user's password (8 to 200 characters). A new user signs up on the link's hosted page, which verifies the e-mail.",
    }),
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

const CompleteOnboardingPayload = builder.objectRef<CompletedOnboarding>('CompleteOnboardingPayload').implement({
  fields: (t) => ({
    redirectUrl: t.expose('redirectUrl', {
      type: 'URL',
      description: "Where the page sends the user: the link's returnUrl when it has one, else the platform's redirectUrl.",
    }),
    organizationId: t.exposeID('organizationId'),
    tenantId: t.exposeID('tenantId'),
    connectedAccountId: t.exposeID('connectedAccountId'),
  }),
});

builder.mutationField('completeOnboarding', (t) =>
  t.field({
    type: CompleteOnboardingPayload,
    description:
      'Public: signs an existing user in, creates the organization, its production tenant and invoicing entity, ' +
      'activates the account and consumes the link, all at once or not at all. The details must include those the platform ' +
      'requires (ConnectPlatform.requiredBusinessDetails, as they are now): VALIDATION names each missing field. ' +
      'An unknown e-mail and a wrong password get the same INVALID_CREDENTIALS (a new user signs up on the hosted page, which verifies the e-mail); ' +
      'failed sign-ins are limited per e-mail, client and link, and tokens that name no usable link per client (top-level RATE_LIMITED, 429, Retry-After).',
    skipTypeScopes: true,
    errors: { types: [...linkErrors, ValidationError, InvalidCredentialsError, ConflictError] },
    args: { input: t.arg({ type: CompleteOnboardingInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const source = sourceOf(context);
      // A refusal (throttled, hashing queue full) becomes its top-level 429 or 503 in src/graphql/mask-errors.ts.
      const complete = () => completeOnboarding(context.crossTenant('onboarding-token'), source, input, context.clock.now());
      const completed = await countingFailedLookups(source, complete, namesNoLink);
      context.log.info({ connectedAccountId: completed.connectedAccountId }, 'onboarding completed');
      return completed;
    },
  }),
);
