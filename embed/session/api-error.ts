// A request the API refused as a whole (a top-level GraphQL error or an HTTP failure), as opposed to
// an expected error of a mutation's result union, which a component shows in its form.

export class ConnectApiError extends Error {
  constructor(
    /** The first error's `extensions.code`; NETWORK when no answer came. */
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ConnectApiError';
  }

  /** The API says the session is over (expired, revoked, its account moved on): a new one may help. */
  get sessionEnded(): boolean {
    // A live stream that outlives its session ends with the error inside a 200 response.
    return this.status === 401 || this.code === 'UNAUTHENTICATED';
  }
}

interface GraphQLErrorBody {
  message: string;
  extensions?: { code?: string };
}

export interface GraphQLResponseBody<Result> {
  data?: Result | null;
  errors?: GraphQLErrorBody[];
}

/** The error a response body or status stands for, or null when it carries data. */
export function refusalOf(status: number, body: GraphQLResponseBody<unknown> | null): ConnectApiError | null {
  const [first] = body?.errors ?? [];
  if (first) return new ConnectApiError(first.extensions?.code ?? `HTTP_${status}`, first.message, status);
  if (status >= 400 || !body?.data) return new ConnectApiError(`HTTP_${status}`, `Connect answered ${status} without data.`, status);
  return null;
}

export const networkError = (cause: unknown) =>
  new ConnectApiError('NETWORK', `Connect could not be reached (${cause instanceof Error ? cause.message : String(cause)}).`, 0);
