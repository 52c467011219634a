// GraphQL for account update links: the platform's mutation. The hosted page it opens is in
// src/web/account-update-routes.ts.
import { InvalidStateError, NotFoundError } from '../../core/domain-errors.ts';
import { builder } from '../../graphql/builder.ts';
import { actorOf } from '../../graphql/context.ts';
import { urlPolicyOf } from '../../core/secure-urls.ts';
import { connectField } from '../../graphql/permissions.ts';
import { accountUpdateUrl, createAccountUpdateLink } from './service.ts';

interface AccountLink {
  url: string;
  expiresAt: Date;
}

const AccountLinkType = builder.objectRef<AccountLink>('AccountLink').implement({
  description: 'A single-use, short-lived link to a hosted page. Its url holds the token: it is shown only in the payload that made it.',
  fields: (t) => ({
    url: t.expose('url', { type: 'URL' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
  }),
});

const CreateAccountUpdateLinkInput = builder.inputType('CreateAccountUpdateLinkInput', {
  fields: (t) => ({
    connectedAccountId: t.id({ required: true }),
    returnUrl: t.field({
      type: 'URL',
      required: false,
      description: "Where the page sends the user after saving (default: the platform's redirectUrl).",
    }),
    refreshUrl: t.field({
      type: 'URL',
      required: false,
      description: 'Where the page sends a user whose link is expired, used or replaced, so the platform can make a new one.',
    }),
  }),
});

const CreateAccountUpdateLinkPayload = builder.objectRef<{ accountLink: AccountLink }>('CreateAccountUpdateLinkPayload').implement({
  fields: (t) => ({ accountLink: t.expose('accountLink', { type: AccountLinkType }) }),
});

builder.mutationField('createAccountUpdateLink', (t) =>
  t.field({
    type: CreateAccountUpdateLinkPayload,
    description:
      'A link (single use, 15 minutes) to the hosted page where the user of an ACTIVE EXPRESS account signs in and edits its business details. ' +
      "It replaces the account's earlier update links; onboarding links are not affected.",
    ...connectField,
    errors: { types: [NotFoundError, InvalidStateError] },
    args: { input: t.arg({ type: CreateAccountUpdateLinkInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const { link, token } = await createAccountUpdateLink(context.db, actorOf(context), urlPolicyOf(context.config), input);
      return { accountLink: { url: accountUpdateUrl(context.config.publicUrl, token), expiresAt: link.expiresAt } };
    },
  }),
);
