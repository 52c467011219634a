// GraphQL for connection links: the mutation that makes one. The hosted page it opens is in
// src/web/connection-link-routes.ts.
import { ConflictError, NotFoundError, ValidationError } from '../core/domain-errors.ts';
import { urlPolicyOf } from '../core/secure-urls.ts';
import { builder } from '../graphql/builder.ts';
import { actorOf } from '../graphql/context.ts';
import { grantedField } from '../graphql/permissions.ts';
import { connectionLinkUrl, createConnectionLink } from './links.ts';
import { ProviderTypeEnum } from './schema.ts';

interface ConnectionLinkView {
  url: string;
  expiresAt: Date;
}

const ConnectionLinkType = builder.objectRef<ConnectionLinkView>('ConnectionLink').implement({
  description: 'A single-use, 15-minute link to the hosted page where credentials are typed. Its url holds the token: shown only here.',
  fields: (t) => ({
    url: t.expose('url', { type: 'URL' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
  }),
});

const CreateConnectionLinkInput = builder.inputType('CreateConnectionLinkInput', {
  fields: (t) => ({
    providerType: t.field({ type: ProviderTypeEnum, required: true }),
    connectionId: t.id({
      required: false,
      description:
        "Reconnect: the page replaces this connection's secrets (its providerType must match). Without it, the page creates a connection.",
    }),
    name: t.string({
      required: false,
      description: 'The new connection’s name (1 to 255 characters): required without connectionId, refused with it.',
    }),
    returnUrl: t.field({
      type: 'URL',
      required: true,
      description: 'Where the page sends the user once the credentials are checked and saved, with `?connection_id=<id>` added.',
    }),
    refreshUrl: t.field({
      type: 'URL',
      required: true,
      description: 'Where the page sends a user whose link is used, expired or unknown, so the platform can make a new one.',
    }),
  }),
});

const CreateConnectionLinkPayload = builder.objectRef<{ connectionLink: ConnectionLinkView }>('CreateConnectionLinkPayload').implement({
  fields: (t) => ({ connectionLink: t.expose('connectionLink', { type: ConnectionLinkType }) }),
});

builder.mutationField('createConnectionLink', (t) =>
  t.field({
    ...grantedField('connections:write'),
    type: CreateConnectionLinkPayload,
    description:
      'A link to the hosted page where a member of the acting tenant’s organization (the connected organization’s, with ' +
      'x-meteroid-connect-account) signs in and types the provider’s credentials, which are checked against the provider before ' +
      'they are saved. The caller never sees them. Single use, 15 minutes.',
    errors: { types: [ValidationError, NotFoundError, ConflictError] },
    args: { input: t.arg({ type: CreateConnectionLinkInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const { link, token } = await createConnectionLink(context.db, actorOf(context), urlPolicyOf(context.config), input);
      return { connectionLink: { url: connectionLinkUrl(context.config.publicUrl, token), expiresAt: link.expiresAt } };
    },
  }),
);
