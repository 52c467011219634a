// One request id per request (ours, never taken from a header), returned as `x-request-id` and
// written on one log line per request with its method, path, operation, status and duration.
import { randomUUID } from 'node:crypto';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../core/logger.ts';

interface RequestInfo {
  id: string;
  startedAt: number;
  /** Read once from the URL yoga has already parsed: parsing `request.url` again costs each request. */
  pathname: string;
  operationName?: string | undefined;
}

const requests = new WeakMap<Request, RequestInfo>();

function infoOf(request: Request, url?: URL): RequestInfo {
  let info = requests.get(request);
  if (!info) {
    info = { id: randomUUID(), startedAt: performance.now(), pathname: (url ?? new URL(request.url)).pathname };
    requests.set(request, info);
  }
  return info;
}

/** The hosted pages' paths carry credentials: a link's token, and an e-mail verification token. */
const TOKEN_IN_PATH = /\/(onboarding|account-update|connection-link|verify)\/[^/]+/g;

/** A path as the logs show it: every token in it masked. */
export const loggedPath = (pathname: string): string => pathname.replace(TOKEN_IN_PATH, '/$1/[token]');

export const requestIdOf = (request: Request): string => infoOf(request).id;

/** What the metrics need of a finished request. */
export function requestSummaryOf(request: Request) {
  const info = infoOf(request);
  return { pathname: info.pathname, operationName: info.operationName, durationMs: performance.now() - info.startedAt };
}

export function useRequestLog(log: Logger): Plugin {
  return {
    onRequest({ request, url }) {
      infoOf(request, url);
    },
    onParams({ request, params }) {
      infoOf(request).operationName = params.operationName ?? undefined;
    },
    // Clients often send no operationName: the executed document names its operation.
    onExecute({ args }) {
      const info = infoOf((args.contextValue as { request: Request }).request);
      info.operationName ??= getOperationAST(args.document, args.operationName)?.name?.value;
    },
    onResponse({ request, response }) {
      const info = infoOf(request);
      response.headers.set('x-request-id', info.id);
      if (info.pathname === '/health' || info.pathname === '/ready') return;
      log.info(
        {
          requestId: info.id,
          method: request.method,
          path: loggedPath(info.pathname),
          operationName: info.operationName,
          status: response.status,
          durationMs: Math.round((performance.now() - info.startedAt) * 10) / 10,
        },
        'request',
      );
    },
  };
}
