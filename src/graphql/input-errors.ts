// Codes for the refusals of a request's input that reach clients without one: a variable of the
// wrong type or missing (the executor gives it a 400 and no code), and a page argument it cannot
// use (`first: -1`, an undecodable cursor: Pothos's errors, at 200 like any field error). Both are
// `BAD_USER_INPUT`, which a client tells apart by code as it does VALIDATION or UNAUTHENTICATED.
import { PothosValidationError } from '@pothos/core';
import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** graphql-js's messages for a variable it could not coerce ("Variable "$first" got an invalid value…", "…was not provided."). */
const isVariableError = (error: GraphQLError) => error.message.startsWith('Variable "$');

/**
 * Pothos's refusals of the connection arguments (`first`/`last` negative, `before` with `after`, a
 * cursor it cannot decode), not its other validation errors (a schema's mistakes, not the client's).
 */
const isPageArgumentError = (error: GraphQLError) =>
  error.originalError instanceof PothosValidationError &&
  /^(Arguments? "(first|last|before|after)"|Invalid cursor|Cursor must be|Expected compound cursor)/.test(error.message);

function codeOf(error: GraphQLError, executed: boolean): string | null {
  if (error.extensions.code !== undefined) return null;
  // Not executed: the operation could not start (its variables, or which operation to run).
  if (!executed) return isVariableError(error) ? 'BAD_USER_INPUT' : 'BAD_REQUEST';
  return isPageArgumentError(error) ? 'BAD_USER_INPUT' : null;
}

function withCodes(result: ExecutionResult): ExecutionResult | null {
  const executed = 'data' in result;
  if (!result.errors?.some((error) => codeOf(error, executed) !== null)) return null;
  return {
    ...result,
    errors: result.errors.map((error) => {
      const code = codeOf(error, executed);
      if (code === null) return error;
      return new GraphQLError(error.message, {
        nodes: error.nodes,
        source: error.source,
        positions: error.positions,
        path: error.path,
        extensions: { ...error.extensions, code },
      });
    }),
  };
}

/** An operation's result with its errors coded: an execution's, or a subscription's that did not start. */
function codeErrorsOf({
  result,
  setResult,
}: {
  result: ExecutionResult | AsyncIterable<unknown>;
  setResult: (result: ExecutionResult) => void;
}) {
  if (!('errors' in result)) return;
  const coded = withCodes(result);
  if (coded) setResult(coded);
}

export function useInputErrorCodes(): Plugin {
  return {
    onExecute: () => ({ onExecuteDone: codeErrorsOf }),
    onSubscribe: () => ({ onSubscribeResult: codeErrorsOf }),
  };
}
