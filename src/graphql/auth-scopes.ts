// What each scope means, and which error a client sees when one fails. Query and Mutation require
// `apiKey` on every field; public fields (onboarding, the admin bootstrap) opt out explicitly.
import { AuthScopeFailureType, type AuthFailure, type ForbiddenResult } from '@pothos/plugin-scope-auth';
import type { GraphQLError } from 'graphql';
import type { Context } from './context.ts';
import { forbidden, unauthenticated } from './request-errors.ts';

export function authScopesFor(context: Context) {
  return {
    apiKey: context.caller !== null,
    // A platform's own key, acting for itself: not on behalf of an account, not a sub-account's key.
    platform: context.caller !== null && context.caller.actingAs === null && context.caller.subAccountId === null,
    admin: context.isAdmin,
  };
}

function firstFailedScope(failure: AuthFailure): string | undefined {
  switch (failure.kind) {
    case AuthScopeFailureType.AuthScope:
      return failure.scope;
    case AuthScopeFailureType.AnyAuthScopes:
    case AuthScopeFailureType.AllAuthScopes:
      return failure.failures.map(firstFailedScope).find(Boolean);
    default:
      return undefined;
  }
}

export function unauthorizedError(_parent: unknown, context: Context, _info: unknown, result: ForbiddenResult): GraphQLError {
  switch (firstFailedScope(result.failure)) {
    case 'platform':
      return forbidden(
        context.caller?.subAccountId
          ? "A sub-account's key cannot do this: only its platform can."
          : 'This operation is not allowed while acting on behalf of a connected account.',
      );
    case 'admin':
      return context.config.adminSecret
        ? unauthenticated('A valid x-admin-secret header is required.')
        : forbidden('createOrganization is disabled: the server has no ADMIN_SECRET.');
    default:
      return unauthenticated('A valid API key is required: send it as "Authorization: Bearer <key>".');
  }
}
