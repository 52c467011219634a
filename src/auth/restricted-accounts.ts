// Acting for a connected account whose required business details are past due: reads work, every
// mutation is refused with 403 CONNECTED_ACCOUNT_RESTRICTED (API.md, Requirements with deadlines).
// Decided here, once per operation, from the acting account's row that resolve-actor.ts already
// holds (its requirementsDisabledReason, kept by connect/accounts/requirement-deadlines.ts), so no
// resolver has to remember it and it costs no query.
import { getOperationAST, Kind } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Actor } from './actor.ts';
import { connectedAccountRestricted } from './request-errors.ts';

/**
 * Mutations that submit the missing details themselves (an account session's business details
 * component): refusing them would keep the account restricted for good. An operation made of these
 * fields only goes through; the hosted update page is no GraphQL operation and is never refused.
 */
const SUBMITS_DETAILS = new Set(['updateBusinessDetails']);

export function useRestrictedAccounts(): Plugin<{ actor?: Actor | null }> {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const reason = args.contextValue.actor?.actingAs?.requirementsDisabledReason;
      if (!reason) return;
      const operation = getOperationAST(args.document, args.operationName);
      if (operation?.operation !== 'mutation') return;
      const submitsOnly = operation.selectionSet.selections.every(
        (selection) => selection.kind === Kind.FIELD && SUBMITS_DETAILS.has(selection.name.value),
      );
      if (!submitsOnly) setResultAndStopExecution({ errors: [connectedAccountRestricted(reason)] });
    },
  };
}
