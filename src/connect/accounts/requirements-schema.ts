// `ConnectedAccount.requirements`: what the account's organization still owes its platform. A list
// of accounts asks once per request for all of them (graphql/request-loaders.ts), through the named
// cross-tenant read that answers detail names only.
import type { ConnectedAccount } from '../../generated/prisma/client.ts';
import { builder } from '../../graphql/builder.ts';
import { requestLoader } from '../../graphql/request-loaders.ts';
import { BusinessDetailEnum } from '../platform/schema.ts';
import { currentlyDueOf } from './requirements.ts';

const currentlyDueLoader = requestLoader((context, accounts: readonly ConnectedAccount[]) =>
  currentlyDueOf(context.crossTenant('connected-account-requirements'), accounts),
);

export const ConnectedAccountRequirementsType = builder.objectRef<ConnectedAccount>('ConnectedAccountRequirements').implement({
  description: "What the platform requires of the account's organization and it has not given.",
  fields: (t) => ({
    currentlyDue: t.field({
      type: [BusinessDetailEnum],
      description:
        "The required business details its invoicing entity lacks, checked against the platform's requirements as they are now: " +
        'everything required while PENDING, nothing once REVOKED. STANDARD: the entity of the granted production tenant, else of the earliest granted tenant.',
      resolve: (account, _args, context) => currentlyDueLoader(context).load(account),
    }),
  }),
});
