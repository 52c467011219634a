// Unexpected errors reach clients as "Unexpected error." with the request id, nothing more: no
// stack, no SQL, no secret. The original is logged (by class, code and stack) under that id.
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from './context.ts';
import { isDatabaseUnavailable } from '../db/prisma-errors.ts';
import { busy, databaseUnavailable } from '../auth/request-errors.ts';
import { rateLimitedError, RateLimitExceededError } from '../auth/rate-limits.ts';
import { PasswordHashingBusyError } from '../auth/passwords.ts';

/** Refusals any service may throw (a sign-in over its limits, the password hashing queue full): their top-level errors. */
function refusalOf(error: unknown): GraphQLError | null {
  if (error instanceof RateLimitExceededError) return rateLimitedError(error);
  if (error instanceof PasswordHashingBusyError) return busy(error.message);
  return null;
}

function isExpected(error: GraphQLError): boolean {
  return !error.originalError || error.originalError instanceof GraphQLError;
}

function describe(error: unknown) {
  if (!(error instanceof Error)) return { type: typeof error };
  const code = (error as { code?: unknown }).code;
  return { type: error.name, code: typeof code === 'string' ? code : undefined, stack: error.stack };
}

export function useErrorMasking(): Plugin<Context> {
  return {
    onExecute() {
      return {
        onExecuteDone({ args, result, setResult }) {
          if (!('errors' in result) || !result.errors?.some((error) => !isExpected(error))) return;
          const context = args.contextValue;
          setResult({
            ...result,
            errors: result.errors.map((error) => {
              if (isExpected(error)) return error;
              const refusal = refusalOf(error.originalError);
              if (refusal) return new GraphQLError(refusal.message, { path: error.path, extensions: refusal.extensions });
              if (isDatabaseUnavailable(error.originalError)) {
                context.log.warn({ err: describe(error.originalError), path: error.path }, 'database unavailable');
                const unavailable = databaseUnavailable();
                return new GraphQLError(unavailable.message, { path: error.path, extensions: unavailable.extensions });
              }
              context.log.error({ err: describe(error.originalError), path: error.path }, 'unexpected error');
              return new GraphQLError('Unexpected error.', {
                path: error.path,
                extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: context.requestId },
              });
            }),
          });
        },
      };
    },
  };
}
