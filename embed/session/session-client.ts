// The components' one way to Connect: typed GraphQL documents over fetch with the session's client
// secret, and subscriptions over Server-Sent Events. Every component of one loadConnect shares one
// client, so one secret: when the API says the session ended (401), the platform's
// fetchClientSecret is asked once for a new one and the request is tried again with it.
import type { TypedDocumentString } from '../generated/graphql.ts';
import { ConnectApiError, type GraphQLResponseBody, networkError, refusalOf } from './api-error.ts';
import { serverSentEvents } from './server-sent-events.ts';

export interface Subscription {
  stop(): void;
}

export interface SubscriptionHandlers<Result> {
  next(result: Result): void;
  /** The stream ended by itself (the server restarted, a proxy cut it): resume when it makes sense. */
  ended(): void;
  failed(error: ConnectApiError): void;
}

export class SessionClient {
  readonly #endpoint: string;
  readonly #fetchClientSecret: () => Promise<string>;
  #secret: Promise<string> | null = null;

  constructor(apiUrl: string, fetchClientSecret: () => Promise<string>) {
    this.#endpoint = `${apiUrl.replace(/\/+$/, '')}/graphql`;
    this.#fetchClientSecret = fetchClientSecret;
  }

  /** The current secret; a new one when `stale` is the one the API just refused (asked once however many requests saw it). */
  async #clientSecret(stale?: string): Promise<string> {
    if (this.#secret === null || (stale !== undefined && (await this.#secret.catch(() => null)) === stale)) {
      const fetching = this.#fetchClientSecret();
      this.#secret = fetching;
      // A failed fetch is not kept: the next request asks again.
      fetching.catch(() => {
        if (this.#secret === fetching) this.#secret = null;
      });
    }
    return this.#secret;
  }

  /** One POST to /graphql, tried once more with a new secret when the session ended. */
  async #post(body: string, accept: string, signal?: AbortSignal): Promise<Response> {
    let secret = await this.#clientSecret();
    for (let attempt = 1; ; attempt += 1) {
      let response: Response;
      try {
        response = await fetch(this.#endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${secret}` },
          body,
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        throw networkError(error);
      }
      if (response.status !== 401 || attempt === 2) return response;
      secret = await this.#clientSecret(secret);
    }
  }

  async execute<Result, Variables>(document: TypedDocumentString<Result, Variables>, variables?: Variables): Promise<Result> {
    const response = await this.#post(
      JSON.stringify({ query: document.toString(), variables }),
      'application/graphql-response+json, application/json',
    );
    const body = (await response.json().catch(() => null)) as GraphQLResponseBody<Result> | null;
    const refusal = refusalOf(response.status, body);
    if (refusal) throw refusal;
    return body?.data as Result;
  }

  subscribe<Result, Variables>(
    document: TypedDocumentString<Result, Variables>,
    variables: Variables,
    handlers: SubscriptionHandlers<Result>,
  ): Subscription {
    const controller = new AbortController();
    const run = async () => {
      const response = await this.#post(JSON.stringify({ query: document.toString(), variables }), 'text/event-stream', controller.signal);
      if (!response.ok || !response.body) {
        const body = (await response.json().catch(() => null)) as GraphQLResponseBody<Result> | null;
        throw (
          refusalOf(response.status, body) ??
          new ConnectApiError(`HTTP_${response.status}`, 'The event stream did not open.', response.status)
        );
      }
      for await (const message of serverSentEvents(response.body)) {
        if (message.event === 'complete') break;
        if (message.event !== 'next') continue;
        const result = JSON.parse(message.data) as GraphQLResponseBody<Result>;
        const refusal = refusalOf(200, result);
        if (refusal) throw refusal;
        handlers.next(result.data as Result);
      }
    };
    run().then(
      () => controller.signal.aborted || handlers.ended(),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        handlers.failed(error instanceof ConnectApiError ? error : networkError(error));
      },
    );
    return { stop: () => controller.abort() };
  }
}
