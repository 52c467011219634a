// GraphQL for a platform's Connect settings.
import { ConflictError, ConnectNotEnabledError, NotFoundError, ValidationError } from '../../core/domain-errors.ts';
import { builder } from '../../graphql/builder.ts';
import { actorOf } from '../../graphql/context.ts';
import { urlPolicyOf } from '../../core/secure-urls.ts';
import { connectField, connectQueryField } from '../../graphql/permissions.ts';
import { InvoicingEntityType } from '../../organizations/schema.ts';
import { BusinessDetail } from '../../generated/prisma/enums.ts';
import { enableConnectPlatform, updateConnectPlatform } from './service.ts';

export const BusinessDetailEnum = builder.enumType(BusinessDetail, {
  name: 'BusinessDetail',
  description: 'A business detail of a connected organization, kept on its invoicing entity. ADDRESS is addressLine1, city and postalCode.',
});

const brandingDescriptions = {
  logoUrl: "The hosted pages' logo (https; the visitor's browser loads it, the server never does). Else the branding invoicing entity's.",
  primaryColor: "The hosted pages' main colour, as #rrggbb.",
};

export const ConnectPlatformType = builder.prismaObject('ConnectPlatform', {
  description: "An organization's Connect settings.",
  fields: (t) => ({
    organizationId: t.exposeID('organizationId'),
    redirectUrl: t.expose('redirectUrl', { type: 'URL', description: 'Where a user lands after completing onboarding.' }),
    brandingInvoicingEntity: t.relation('brandingInvoicingEntity', {
      type: InvoicingEntityType,
      nullable: true,
      description: 'Its legal name and logo brand the onboarding page.',
    }),
    logoUrl: t.expose('logoUrl', { type: 'URL', nullable: true, description: brandingDescriptions.logoUrl }),
    primaryColor: t.exposeString('primaryColor', { nullable: true, description: brandingDescriptions.primaryColor }),
    onboardingLinkTtlSeconds: t.exposeInt('onboardingLinkTtlSeconds'),
    requiredBusinessDetails: t.expose('requiredBusinessDetails', {
      type: [BusinessDetailEnum],
      description: "What onboarding cannot complete without, and what each account's requirements.currentlyDue is checked against.",
    }),
    oauthClientId: t.exposeString('oauthClientId', {
      nullable: true,
      description: 'The OAuth client id for STANDARD accounts, once configureConnectOAuth has run.',
    }),
    oauthRedirectUris: t.field({
      type: ['URL'],
      description: 'Where /oauth/authorize may send users back (exact match).',
      resolve: (platform) => platform.oauthRedirectUris,
    }),
    allowedOrigins: t.exposeStringList('allowedOrigins', {
      description:
        'The exact origins (https://app.example) whose pages may use account sessions: CORS answers them, and a session request from any other origin is refused (ORIGIN_NOT_ALLOWED).',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

builder.queryField('connectPlatform', (t) =>
  t.prismaField({
    ...connectQueryField,
    type: ConnectPlatformType,
    nullable: true,
    description: 'The Connect settings, or null while Connect is not enabled.',
    resolve: (query, _root, _args, context) =>
      context.db.connectPlatform.findUnique({ ...query, where: { organizationId: actorOf(context).actingScope.organizationId } }),
  }),
);

const ttlDescription = 'How long an onboarding link lives, 300 to 2592000 seconds (default 604800: 7 days).';
const requiredDetailsDescription =
  'The business details onboarding requires (duplicates are dropped; empty requires none). A change applies at once, ' +
  "to onboardings not yet completed and to every account's requirements.currentlyDue.";

const allowedOriginsDescription =
  'Exact origins (scheme://host[:port], no path), at most 20; https only (http for localhost outside production). Replaces the list; empty allows none.';

const EnableConnectPlatformInput = builder.inputType('EnableConnectPlatformInput', {
  fields: (t) => ({
    redirectUrl: t.field({ type: 'URL', required: true }),
    brandingInvoicingEntityId: t.id({ required: false }),
    onboardingLinkTtlSeconds: t.int({ required: false, description: ttlDescription }),
    requiredBusinessDetails: t.field({
      type: [BusinessDetailEnum],
      required: false,
      description: `${requiredDetailsDescription} Default: none.`,
    }),
    allowedOrigins: t.stringList({ required: false, description: `${allowedOriginsDescription} Default: none.` }),
  }),
});

const UpdateConnectPlatformInput = builder.inputType('UpdateConnectPlatformInput', {
  fields: (t) => ({
    redirectUrl: t.field({ type: 'URL', required: false }),
    brandingInvoicingEntityId: t.id({ required: false, description: 'null removes the branding.' }),
    logoUrl: t.field({ type: 'URL', required: false, description: `${brandingDescriptions.logoUrl} null removes it.` }),
    primaryColor: t.string({ required: false, description: `${brandingDescriptions.primaryColor} null removes it.` }),
    onboardingLinkTtlSeconds: t.int({ required: false, description: ttlDescription }),
    requiredBusinessDetails: t.field({ type: [BusinessDetailEnum], required: false, description: requiredDetailsDescription }),
    requirementsDeadline: t.field({
      type: 'DateTime',
      required: false,
      description:
        'When accounts already onboarded must have given the details this update starts requiring (their requirements.currentDeadline); ' +
        'past it, what is still missing is pastDue and the account is restricted. Default: 30 days from now; never in the past. ' +
        'Accounts onboarding from then on give them at once.',
    }),
    allowedOrigins: t.stringList({ required: false, description: allowedOriginsDescription }),
  }),
});

/** The payload re-reads the settings, so selections on them (e.g. the branding entity) load at once. */
const connectPlatformPayload = (name: string) =>
  builder.objectRef<{ organizationId: string }>(name).implement({
    fields: (t) => ({
      connectPlatform: t.prismaField({
        type: ConnectPlatformType,
        resolve: (query, { organizationId }, _args, context) =>
          context.db.connectPlatform.findUniqueOrThrow({ ...query, where: { organizationId } }),
      }),
    }),
  });

builder.mutationField('enableConnectPlatform', (t) =>
  t.field({
    type: connectPlatformPayload('EnableConnectPlatformPayload'),
    description: 'Enables Connect for the organization: required before creating connected accounts.',
    ...connectField,
    errors: { types: [ValidationError, NotFoundError, ConflictError] },
    args: { input: t.arg({ type: EnableConnectPlatformInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const { organizationId } = await enableConnectPlatform(context.db, actorOf(context), urlPolicyOf(context.config), input);
      return { organizationId };
    },
  }),
);

builder.mutationField('updateConnectPlatform', (t) =>
  t.field({
    type: connectPlatformPayload('UpdateConnectPlatformPayload'),
    description: 'Changes the given settings; the others stay as they are.',
    ...connectField,
    errors: { types: [ValidationError, NotFoundError, ConnectNotEnabledError] },
    args: { input: t.arg({ type: UpdateConnectPlatformInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const { organizationId } = await updateConnectPlatform(
        context.db,
        actorOf(context),
        urlPolicyOf(context.config),
        input,
        context.crossTenant('connected-account-requirements'),
      );
      return { organizationId };
    },
  }),
);
