// One typed GraphQL request to Connect, for the backend (with the platform's API key) and the page
// (with an account session's client secret) alike. `npm run codegen` types the documents.
import type { TypedDocumentString } from './generated/graphql.ts';

export class ConnectRefusal extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ConnectRefusal';
  }
}

export async function requestConnect<Result, Variables>(
  connectUrl: string,
  /** `mk_live_…` on the backend, `acs_secret_…` in the page: never the other way round. */
  credential: string,
  document: TypedDocumentString<Result, Variables>,
  variables?: Variables,
): Promise<Result> {
  const response = await fetch(`${connectUrl.replace(/\/+$/, '')}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${credential}` },
    body: JSON.stringify({ query: document.toString(), variables }),
  });
  const body = (await response.json().catch(() => ({}))) as {
    data?: Result;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  const [error] = body.errors ?? [];
  if (error) throw new ConnectRefusal(error.message, response.status, error.extensions?.code);
  if (!body.data) throw new ConnectRefusal(`Connect answered ${response.status} without data`, response.status, undefined);
  return body.data;
}
