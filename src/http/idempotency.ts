// Idempotent retries (API.md): a mutation sent with `Idempotency-Key` by an API key runs once; its
// retries with the same operation and variables get the first completed answer again, byte for
// byte, with `idempotent-replayed: true`, for 24 h. The key is claimed once the request is
// authenticated (a refused key never reaches a stored answer) and the answer is kept once it is
// final (onResponse), before it goes out, so a retry sent after receipt always finds it.
import { getOperationAST, print } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Actor } from '../auth/actor.ts';
import { databaseUnavailable, requestError } from '../auth/request-errors.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Prisma } from '../db/database.ts';
import { isDatabaseUnavailable } from '../db/prisma-errors.ts';
import {
  claimantOf,
  claimIdempotencyKey,
  completeIdempotencyKey,
  deleteExpiredIdempotencyKeys,
  extendIdempotencyLock,
  IDEMPOTENCY_LOCK_MS,
  releaseIdempotencyKey,
  requestFingerprint,
  type ClaimOutcome,
  type IdempotencyClaimant,
  type StoredResponse,
} from './idempotency-store.ts';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';
/** 1 to 255 printable ASCII characters (HTTP trims the ends). */
const VALID_KEY = /^[\x20-\x7e]{1,255}$/;
/** A request still running after this no longer extends its lock (a stuck request does not hold a key forever). */
const MAX_LOCK_EXTENSION_MS = 10 * 60 * 1000;
/** Top-level codes of a request that did not complete: released, so the retry runs. */
const RETRYABLE_CODES = new Set(['INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE', 'RATE_LIMITED']);

const invalidKey = () =>
  requestError('IDEMPOTENCY_KEY_INVALID', 400, 'The Idempotency-Key header must be 1 to 255 printable ASCII characters.');
const keyReused = () =>
  requestError(
    'IDEMPOTENCY_KEY_REUSED',
    422,
    'This Idempotency-Key was used with another operation or other variables: use a new key for a new request.',
  );
const keyInUse = () =>
  requestError('IDEMPOTENCY_KEY_IN_USE', 409, 'A request with this Idempotency-Key is still running: retry once it has answered.');

/** JSON with object keys sorted: a client that reorders its variables sends the same request. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Completed: the mutation executed and answered 200 without a top-level error saying to retry
 * (an unexpected error, the database unavailable, a rate limit). Typed errors in the payload
 * (VALIDATION, NOT_FOUND, …) are answers, and are replayed.
 */
function isCompleted(status: number, body: string): boolean {
  if (status !== 200) return false;
  try {
    const { errors } = JSON.parse(body) as { errors?: { extensions?: { code?: unknown } }[] };
    return !errors?.some((error) => RETRYABLE_CODES.has(String(error.extensions?.code)));
  } catch {
    return true; // not JSON (an event stream): the operation executed
  }
}

/** An error for the log, by class and code only: a database error's message may quote the statement's values. */
const describe = (error: unknown) => ({ type: (error as Error)?.name, code: (error as { code?: unknown })?.code });

type RequestState =
  | { kind: 'running'; claimant: IdempotencyClaimant; fingerprint: string; heartbeat: NodeJS.Timeout }
  | { kind: 'replay'; response: StoredResponse };

const states = new WeakMap<Request, RequestState>();

/** What this plugin reads of the GraphQL context: the request, and who is asking (null without an API key). */
interface IdempotencyContext {
  request: Request;
  actor: Actor | null;
}

export interface IdempotencyDependencies {
  prisma: Prisma;
  clock: Clock;
  log: Logger;
}

export function useIdempotency({ prisma, clock, log }: IdempotencyDependencies): Plugin<IdempotencyContext> {
  function keepLocked(claimant: IdempotencyClaimant, fingerprint: string): NodeJS.Timeout {
    const startedAt = Date.now();
    const heartbeat = setInterval(() => {
      if (Date.now() - startedAt > MAX_LOCK_EXTENSION_MS) return clearInterval(heartbeat);
      extendIdempotencyLock(prisma, claimant, fingerprint, clock.now()).catch(() => {});
    }, IDEMPOTENCY_LOCK_MS / 3);
    return heartbeat.unref();
  }

  type ExecutePayload = Parameters<NonNullable<Plugin<IdempotencyContext>['onExecute']>>[0];
  type ResponsePayload = Parameters<NonNullable<Plugin['onResponse']>>[0];

  async function claim({ args, setResultAndStopExecution }: ExecutePayload, key: string) {
    const { request, actor } = args.contextValue;
    if (getOperationAST(args.document, args.operationName)?.operation !== 'mutation') return;
    if (!VALID_KEY.test(key)) return setResultAndStopExecution({ errors: [invalidKey()] });
    if (!actor) return; // no API key (the admin secret, a public mutation): nothing is stored
    const claimant = claimantOf(actor.apiKey, key);
    const fingerprint = requestFingerprint(
      claimant,
      canonicalJson({
        document: print(args.document),
        operationName: args.operationName ?? null,
        variables: args.variableValues ?? {},
        // Where it acts: the same key and Idempotency-Key for another account is another request.
        actingFor: actor.actingAs?.id ?? null,
        tenant: actor.actingScope.tenantId,
      }),
    );
    let outcome: ClaimOutcome;
    try {
      outcome = await claimIdempotencyKey(prisma, claimant, fingerprint, clock.now());
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      return setResultAndStopExecution({ errors: [databaseUnavailable()] });
    }
    switch (outcome.kind) {
      case 'claimed':
        states.set(request, { kind: 'running', claimant, fingerprint, heartbeat: keepLocked(claimant, fingerprint) });
        return;
      case 'completed':
        states.set(request, { kind: 'replay', response: outcome.response });
        // A stand-in: the stored bytes replace the response in onResponse.
        return setResultAndStopExecution({ data: null });
      case 'in-progress':
        return setResultAndStopExecution({ errors: [keyInUse()] });
      case 'reused':
        return setResultAndStopExecution({ errors: [keyReused()] });
    }
  }

  async function finish({ request, response, setResponse, fetchAPI }: ResponsePayload, state: RequestState) {
    states.delete(request);
    if (state.kind === 'replay') {
      const headers = new fetchAPI.Headers(response.headers);
      headers.delete('content-length');
      for (const [name, value] of Object.entries(state.response.headers)) headers.set(name, value);
      headers.set(REPLAYED_HEADER, 'true');
      setResponse(new fetchAPI.Response(state.response.body, { status: state.response.status, headers }));
      return;
    }
    clearInterval(state.heartbeat);
    const body = await response.text();
    setResponse(new fetchAPI.Response(body, { status: response.status, statusText: response.statusText, headers: response.headers }));
    try {
      if (isCompleted(response.status, body)) {
        const contentType = response.headers.get('content-type');
        const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
        await completeIdempotencyKey(prisma, state.claimant, state.fingerprint, { status: response.status, headers, body });
      } else {
        await releaseIdempotencyKey(prisma, state.claimant, state.fingerprint);
      }
    } catch (error) {
      // The row stays IN_PROGRESS until its lock runs out; then a retry runs afresh.
      log.warn({ err: describe(error) }, 'idempotency key not recorded');
    }
  }

  // Neither hook is async: most requests send no key, and a promise each would be waited on.
  return {
    onExecute(payload) {
      const key = payload.args.contextValue.request.headers.get(IDEMPOTENCY_KEY_HEADER);
      if (key !== null) return claim(payload, key);
    },
    onResponse(payload) {
      const state = states.get(payload.request);
      if (state) return finish(payload, state);
    },
  };
}

export interface IdempotencyCleanup {
  /** Deletes the keys older than 24 h now; resolves with how many. */
  deleteExpired(): Promise<number>;
  stop(): void;
}

/** Every process deletes the expired keys now and then (a DELETE is harmless when several do). */
export function startIdempotencyCleanup(deps: {
  prisma: Prisma;
  clock: Clock;
  log: Logger;
  intervalMs: number;
  active: () => boolean;
}): IdempotencyCleanup {
  const deleteExpired = () => deleteExpiredIdempotencyKeys(deps.prisma, deps.clock.now());
  const timer = setInterval(() => {
    if (!deps.active()) return;
    deleteExpired().then(
      (count) => count > 0 && deps.log.debug({ count }, 'expired idempotency keys deleted'),
      (error: unknown) => deps.log.warn({ err: describe(error) }, 'expired idempotency keys not deleted'),
    );
  }, deps.intervalMs).unref();
  return { deleteExpired, stop: () => clearInterval(timer) };
}
