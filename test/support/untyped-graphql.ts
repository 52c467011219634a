// GraphQL written as text, for the tests that send what no typed document would (an attacker's
// tries, selections made up on the spot): the answer as JSON, and a mutation's outcome in one word.
import type { TestServer } from './server.ts';

export type Answer = {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: an answer to a document typed by no codegen, read field by field.
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
};

export const untypedRequest = (
  server: TestServer,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<Answer> => server.request({ toString: () => query } as never, variables as never, headers) as never;

/** A mutation's `__typename` and, for an error, its `code`. */
export const outcome = (answer: Answer, field: string) => {
  const result = answer.data?.[field] as { __typename?: string; code?: string } | undefined;
  return result?.code ?? result?.__typename ?? answer.errors?.[0]?.extensions?.code ?? JSON.stringify(answer);
};
