// A mutation's result union split in two: the payload, or the error member a form shows.
import type { MutationError } from './form-controller.ts';

export function outcome<Result extends { __typename: string }, Typename extends Result['__typename']>(
  result: Result,
  payloadTypename: Typename,
): { payload: Extract<Result, { __typename: Typename }>; error: null } | { payload: null; error: MutationError } {
  if (result.__typename === payloadTypename) return { payload: result as Extract<Result, { __typename: Typename }>, error: null };
  // Every other member of the unions the components select is an `Error` (code, message, maybe fields).
  return { payload: null, error: result as unknown as MutationError };
}
