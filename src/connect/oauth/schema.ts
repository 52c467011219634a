// GraphQL for STANDARD accounts: the platform's OAuth client settings, and the connected
// organization's view of the platforms it granted access to, which it can revoke.
import { ConnectNotEnabledError, InvalidStateError, NotFoundError, ValidationError } from '../../core/domain-errors.ts';
import { ConnectedAccountStatusEnum, ConnectionTypeEnum } from '../accounts/schema-enums.ts';
import { ConnectPlatformType } from '../platform/schema.ts';
import { builder } from '../../graphql/builder.ts';
import { actorOf } from '../../graphql/context.ts';
import { urlPolicyOf } from '../../core/secure-urls.ts';
import { connectField } from '../../graphql/permissions.ts';
import { configureOAuthClient } from './client-settings.ts';
import { connectedPlatformsOf, disconnectPlatform } from './connected-platforms.ts';

const ConfigureConnectOAuthInput = builder.inputType('ConfigureConnectOAuthInput', {
  fields: (t) => ({
    redirectUris: t.field({
      type: ['URL'],
      required: true,
      description: 'Where /oauth/authorize may send the user back: compared exactly; https (http only to localhost, outside production).',
    }),
    rotateClientSecret: t.boolean({ required: false, description: 'Issue a new client secret; the previous one stops working at once.' }),
  }),
});

builder.mutationField('configureConnectOAuth', (t) =>
  t.field({
    type: builder.objectRef<{ organizationId: string; clientSecret: string | null }>('ConfigureConnectOAuthPayload').implement({
      fields: (f) => ({
        connectPlatform: f.prismaField({
          type: ConnectPlatformType,
          resolve: (query, { organizationId }, _args, context) =>
            context.db.connectPlatform.findUniqueOrThrow({ ...query, where: { organizationId } }),
        }),
        clientSecret: f.exposeString('clientSecret', {
          nullable: true,
          description: 'The client secret: only when this call issued one (the first time, or when rotating); never readable again.',
        }),
      }),
    }),
    description: 'Sets the OAuth client through which organizations grant this platform STANDARD accounts.',
    ...connectField,
    errors: { types: [ValidationError, ConnectNotEnabledError] },
    args: { input: t.arg({ type: ConfigureConnectOAuthInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const { platform, clientSecret } = await configureOAuthClient(context.db, actorOf(context), urlPolicyOf(context.config), input);
      return { organizationId: platform.organizationId, clientSecret };
    },
  }),
);

const ConnectedPlatformType = builder.prismaObject('ConnectedAccount', {
  variant: 'ConnectedPlatform',
  description: 'A platform that acts for this organization, seen from the organization: the connected account that lets it.',
  fields: (t) => ({
    connectedAccountId: t.exposeID('id'),
    platformOrganizationId: t.exposeID('platformOrganizationId'),
    platformName: t.string({
      select: { platformOrganization: { select: { name: true } } },
      resolve: (account) => account.platformOrganization.name,
    }),
    connectionType: t.expose('connectionType', { type: ConnectionTypeEnum }),
    status: t.expose('status', { type: ConnectedAccountStatusEnum }),
    grantedScopes: t.exposeStringList('grantedScopes', { description: 'STANDARD: the scopes granted. EXPRESS: empty (everything).' }),
    grantedTenantIds: t.exposeIDList('grantedTenantIds', { description: 'STANDARD: the tenants granted.' }),
    connectedTenantId: t.exposeID('connectedTenantId', { nullable: true, description: 'EXPRESS: its single tenant.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

builder.queryField('connectedPlatforms', (t) =>
  t.prismaConnection(
    {
      type: ConnectedPlatformType,
      cursor: 'id',
      description: 'The platforms connected to this organization (STANDARD by its consent, or EXPRESS by onboarding).',
      ...connectField,
      resolve: (query, _root, _args, context) =>
        context.crossTenant('connected-organization-view').connectedAccount.findMany({
          ...query,
          where: connectedPlatformsOf(actorOf(context).actingScope.organizationId),
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        }),
      totalCount: (_connection, _args, context) =>
        context
          .crossTenant('connected-organization-view')
          .connectedAccount.count({ where: connectedPlatformsOf(actorOf(context).actingScope.organizationId) }),
    },
    {},
  ),
);

const DisconnectPlatformInput = builder.inputType('DisconnectPlatformInput', {
  fields: (t) => ({ connectedAccountId: t.id({ required: true }) }),
});

builder.mutationField('disconnectPlatform', (t) =>
  t.field({
    type: builder.objectRef<{ connectedAccountId: string }>('DisconnectPlatformPayload').implement({
      fields: (f) => ({
        connectedPlatform: f.prismaField({
          type: ConnectedPlatformType,
          resolve: (query, { connectedAccountId }, _args, context) =>
            context
              .crossTenant('connected-organization-view')
              .connectedAccount.findUniqueOrThrow({ ...query, where: { id: connectedAccountId } }),
        }),
      }),
    }),
    description: "Revokes a platform's access to this organization: its next request on this account is refused.",
    ...connectField,
    errors: { types: [NotFoundError, InvalidStateError] },
    args: { input: t.arg({ type: DisconnectPlatformInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const account = await disconnectPlatform(
        context.crossTenant('connected-organization-view'),
        actorOf(context),
        input.connectedAccountId,
      );
      return { connectedAccountId: account.id };
    },
  }),
);
