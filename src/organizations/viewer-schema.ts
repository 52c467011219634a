import { builder } from '../graphql/builder.ts';
import type { Actor } from '../auth/actor.ts';
import { actorOf } from '../graphql/context.ts';
import { OrganizationType, TenantType } from './schema.ts';

export const ViewerType = builder.objectRef<Actor>('Viewer').implement({
  // connect/accounts adds `actingAs`: the account a request acts for.
  description: 'Who is asking, and where the request acts.',
  fields: (t) => ({
    organizationId: t.id({ description: 'The organization the request acts in.', resolve: (caller) => caller.actingScope.organizationId }),
    tenantId: t.id({ description: 'The tenant the request acts in.', resolve: (caller) => caller.actingScope.tenantId }),
    apiKeyId: t.id({ resolve: (caller) => caller.apiKeyId }),
    organization: t.prismaField({
      type: OrganizationType,
      resolve: (query, caller, _args, context) =>
        context.db.organization.findUniqueOrThrow({ ...query, where: { id: caller.actingScope.organizationId } }),
    }),
    tenant: t.prismaField({
      type: TenantType,
      resolve: (query, caller, _args, context) =>
        context.db.tenant.findUniqueOrThrow({ ...query, where: { id: caller.actingScope.tenantId } }),
    }),
  }),
});

builder.queryField('viewer', (t) =>
  // Every caller may ask who it is, whatever a STANDARD grant allows.
  t.field({ type: ViewerType, skipTypeScopes: true, authScopes: { apiKey: true }, resolve: (_root, _args, context) => actorOf(context) }),
);
