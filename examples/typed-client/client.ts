// The whole transport: a typed document and its variables in, the typed `data` out, over fetch.
// No GraphQL runtime: codegen's `documentMode: 'string'` makes each document a string that carries its types.
import type { TypedDocumentString } from './generated/graphql.js';

export interface ConnectClientOptions {
  /** Where Connect runs, e.g. http://localhost:4000 (the endpoint is <url>/graphql). */
  url: string;
  /** Sent as `Authorization: Bearer <apiKey>`. Keep it on a server: a key acts for its whole tenant. */
  apiKey: string;
}

/** A failure of the request itself (bad key, rate limit, invalid document), not an expected error of a mutation. */
export class ConnectRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** The first error's `extensions.code`, e.g. UNAUTHENTICATED, FORBIDDEN, RATE_LIMITED. */
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ConnectRequestError';
  }
}

interface GraphQLResponseBody<Result> {
  data?: Result | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** A document without variables takes none; one with variables requires them. */
type VariablesArgument<Variables> = Variables extends Record<string, never> ? [] : [variables: Variables];

export type Execute = <Result, Variables>(
  document: TypedDocumentString<Result, Variables>,
  ...[variables]: VariablesArgument<Variables>
) => Promise<Result>;

export function connectClient({ url, apiKey }: ConnectClientOptions): Execute {
  const endpoint = `${url.replace(/\/+$/, '')}/graphql`;
  return async function execute<Result, Variables>(
    document: TypedDocumentString<Result, Variables>,
    ...[variables]: VariablesArgument<Variables>
  ): Promise<Result> {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        authorization: `Bearer ${apiKey}`,
      },
      body: JSON.stringify({ query: document.toString(), variables }),
    });
    const body = (await response.json().catch(() => ({}))) as GraphQLResponseBody<Result>;
    const [error] = body.errors ?? [];
    if (error) throw new ConnectRequestError(error.message, response.status, error.extensions?.code);
    if (!body.data) throw new ConnectRequestError(`HTTP ${response.status} without data`, response.status, undefined);
    return body.data;
  };
}
