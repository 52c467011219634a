// `ConnectedAccount.requirements`: what the account's organization still owes its platform. A list
// of accounts asks once per request for all of them (a DataLoader per request), through the named
// cross-tenant read that answers detail names only.
import DataLoader from 'dataloader';
import type { ConnectedAccount } from '../../generated/prisma/client.ts';
import type { BusinessDetail } from '../../generated/prisma/enums.ts';
import { builder } from '../../graphql/builder.ts';
import type { Context } from '../../graphql/context.ts';
import { BusinessDetailEnum } from '../platform/schema.ts';
import { currentlyDueOf } from './requirements.ts';

const loaders = new WeakMap<Context, DataLoader<ConnectedAccount, BusinessDetail[], string>>();

function currentlyDueLoader(context: Context) {
  let loader = loaders.get(context);
  if (!loader) {
    const reader = context.crossTenant('connected-account-requirements');
    loader = new DataLoader((accounts) => currentlyDueOf(reader, accounts), { cacheKeyFn: (account) => account.id });
    loaders.set(context, loader);
  }
  return loader;
}

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
