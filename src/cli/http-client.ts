// The command line's only way to the server: GraphQL over HTTP, as any client (it imports nothing
// else of the server: scripts/check-layers.ts).

export interface Server {
  /** CONNECT_URL: the server's base URL. */
  url: string;
  headers: Record<string, string>;
}

/** The environment variable, or a clear refusal naming it. */
export function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set.`);
  return value;
}

export const serverUrl = () => (process.env.CONNECT_URL ?? 'http://localhost:4000').replace(/\/+$/, '');

interface GraphQLResponse<Data> {
  data?: Data | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** Runs one operation; a top-level error, or a failure member (`... on Error`), is thrown with its code. */
export async function graphql<Data>(server: Server, query: string, variables: Record<string, unknown> = {}): Promise<Data> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...server.headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json().catch(() => ({}))) as GraphQLResponse<Data>;
  const [error] = body.errors ?? [];
  if (error) throw new Error(`${error.extensions?.code ?? `HTTP ${response.status}`}: ${error.message}`);
  if (!body.data) throw new Error(`HTTP ${response.status}: no data`);
  for (const result of Object.values(body.data as Record<string, unknown>)) {
    const failure = result as { __typename?: string; code?: string; message?: string } | null;
    if (failure?.code && failure.message) throw new Error(`${failure.code}: ${failure.message}`);
  }
  return body.data;
}

export const withApiKey = (apiKey: string): Server => ({ url: serverUrl(), headers: { authorization: `Bearer ${apiKey}` } });
export const asAdmin = (): Server => ({ url: serverUrl(), headers: { 'x-admin-secret': required('ADMIN_SECRET') } });
