// `ConnectedAccount.requirements`: what the account's organization still owes its platform, and by
// when. A list of accounts asks once per request for all of them (graphql/request-loaders.ts),
// through the named cross-tenant read that answers detail names and dates only.
import type { ConnectedAccount } from '../../generated/prisma/client.ts';
import { RequirementsDisabledReason } from '../../generated/prisma/enums.ts';
import { builder } from '../../graphql/builder.ts';
import { requestLoader } from '../../graphql/request-loaders.ts';
import { BusinessDetailEnum } from '../platform/schema.ts';
import { requirementsOf } from './requirements.ts';

const requirementsLoader = requestLoader((context, accounts: readonly ConnectedAccount[]) =>
  requirementsOf(context.crossTenant('connected-account-requirements'), accounts),
);

const RequirementsDisabledReasonEnum = builder.enumType(RequirementsDisabledReason, {
  name: 'RequirementsDisabledReason',
  description: 'Why mutations while acting for the account are refused (CONNECTED_ACCOUNT_RESTRICTED); reads still work.',
});

export const ConnectedAccountRequirementsType = builder.objectRef<ConnectedAccount>('ConnectedAccountRequirements').implement({
  description: "What the platform requires of the account's organization and it has not given, and by when.",
  fields: (t) => ({
    currentlyDue: t.field({
      type: [BusinessDetailEnum],
      description:
        "The required business details its invoicing entity lacks, checked against the platform's requirements as they are now, " +
        'and not past a deadline: everything required while PENDING, nothing once REVOKED. A detail the platform started requiring ' +
        'after the account onboarded is due by currentDeadline; one required before is due at once, with no deadline. ' +
        'STANDARD: the entity of the granted production tenant, else of the earliest granted tenant.',
      resolve: async (account, _args, context) => (await requirementsLoader(context).load(account)).currentlyDue,
    }),
    pastDue: t.field({
      type: [BusinessDetailEnum],
      description:
        'The required details still missing past their deadline (noticed within a minute of it): until they are given, ' +
        'mutations while acting for the account are refused with CONNECTED_ACCOUNT_RESTRICTED.',
      resolve: async (account, _args, context) => (await requirementsLoader(context).load(account)).pastDue,
    }),
    currentDeadline: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the earliest of currentlyDue becomes past due; null when nothing due has a deadline.',
      resolve: async (account, _args, context) => (await requirementsLoader(context).load(account)).currentDeadline,
    }),
    disabledReason: t.field({
      type: RequirementsDisabledReasonEnum,
      nullable: true,
      description: 'REQUIREMENTS_PAST_DUE while pastDue is not empty; null otherwise.',
      resolve: async (account, _args, context) => (await requirementsLoader(context).load(account)).disabledReason,
    }),
  }),
});
