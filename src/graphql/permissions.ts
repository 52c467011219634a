// What each scope means, and which error a client sees when one fails. Every field of Query and
// Mutation requires `apiKey` and `fullAccess` unless it opts out: public fields (onboarding, the
// admin bootstrap) and the fields a STANDARD connection can grant, which name their `grant`.
import { AuthScopeFailureType, type AuthFailure, type ForbiddenResult } from '@pothos/plugin-scope-auth';
import type { GraphQLError } from 'graphql';
import type { Context } from './context.ts';
import { CONNECT_PRODUCTION_ONLY, forbidden, unauthenticated } from '../auth/request-errors.ts';
import type { GrantScope } from '../auth/grant-scopes.ts';

export function authScopesFor(context: Context) {
  const { actor } = context;
  return {
    apiKey: actor !== null,
    // A platform's own key, acting for itself: not on behalf of an account, not a sub-account's key, not a session.
    platform: actor !== null && actor.actingAs === null && actor.subAccountId === null && actor.session === null,
    // An account session (a platform's page): its own fields (embedded onboarding).
    accountSession: actor !== null && actor.session !== null,
    // A key of the organization's production tenant: Connect is production-only.
    production: actor !== null && actor.keyScope.environment === 'PRODUCTION',
    // Manages sub-accounts: a platform's own key, or a platform acting for a STANDARD account's organization.
    subAccountManager: actor !== null && actor.subAccountId === null && (actor.actingAs === null || actor.grantedScopes !== null),
    // Not limited by a STANDARD grant: the organization's own key, or acting for an EXPRESS account.
    fullAccess: actor !== null && actor.grantedScopes === null,
    grant: (scope: GrantScope) => actor !== null && (actor.grantedScopes === null || actor.grantedScopes.includes(scope)),
    admin: context.isAdmin,
  };
}

interface FailedScope {
  scope: string;
  parameter: unknown;
}

function firstFailedScope(failure: AuthFailure): FailedScope | undefined {
  switch (failure.kind) {
    case AuthScopeFailureType.AuthScope:
      return { scope: failure.scope, parameter: failure.parameter };
    case AuthScopeFailureType.AnyAuthScopes:
    case AuthScopeFailureType.AllAuthScopes:
      return failure.failures.map(firstFailedScope).find(Boolean);
    default:
      return undefined;
  }
}

export function unauthorizedError(_parent: unknown, context: Context, _info: unknown, result: ForbiddenResult): GraphQLError {
  const failed = firstFailedScope(result.failure);
  if (context.actor === null && failed?.scope !== 'admin') {
    return unauthenticated('A valid API key is required: send it as "Authorization: Bearer <key>".');
  }
  switch (failed?.scope) {
    case 'grant':
      return forbidden(`The connected account's grant does not include the scope ${String(failed.parameter)}.`, {
        missingScope: failed.parameter,
      });
    case 'fullAccess':
      return forbidden('A STANDARD connected account grants no scope for this operation: only its organization can do it.');
    case 'platform':
    case 'subAccountManager':
      return forbidden(
        context.actor?.subAccountId
          ? "A sub-account's key cannot do this: only its platform can."
          : 'This operation is not allowed while acting on behalf of a connected account.',
      );
    case 'production':
      return forbidden(CONNECT_PRODUCTION_ONLY);
    case 'accountSession':
      return forbidden('Only an account session (Bearer acs_secret_…) can do this: it is the embedded onboarding of its account.');
    case 'admin':
      return context.config.adminSecret
        ? unauthenticated('A valid x-admin-secret header is required.')
        : forbidden('createOrganization is disabled: the server has no ADMIN_SECRET.');
    default:
      return unauthenticated('A valid API key is required: send it as "Authorization: Bearer <key>".');
  }
}

/** Options of a root field a STANDARD connection can grant: any API key, limited by its grant to `scope`. */
export const grantedField = (scope: GrantScope) => ({ skipTypeScopes: true, authScopes: { grant: scope } }) as const;

/** Options of a sub-account operation only a managing organization may do, or a platform granted `subaccounts:write`. */
export const subAccountManagerField = {
  skipTypeScopes: true,
  authScopes: { $all: { subAccountManager: true, grant: 'subaccounts:write' } },
} as const;

/** Options of a Connect operation (a platform's, or an organization's view of its platforms): its own production key. */
export const connectField = { authScopes: { $all: { platform: true, production: true } } } as const;

/** Options of a Connect query: any key of a production tenant (a sandbox key sees no Connect). */
export const connectQueryField = { authScopes: { production: true } } as const;
