// Routes for the server-rendered pages and the OAuth token endpoint, served by the same yoga
// instance as /graphql. A browser form post must come from our own origin (CSRF), every failure
// is a page (never a stack), and an unreachable database is a 503 like everywhere else.
import type { Plugin } from 'graphql-yoga';
import { isDatabaseUnavailable } from '../db/prisma-errors.ts';
import type { Logger } from '../core/logger.ts';
import { html, htmlResponse, NulInRequestError, page, refuseNulParameters, type Html } from './html.ts';
import type { Brand } from '../connect/platform/branding.ts';
import type { NodeServerContext } from '../auth/client-address.ts';
import { isLoopbackClient } from '../http/loopback.ts';
import { BodyTooLargeError, bodyTooLargeResponse } from '../http/request-body.ts';
import { loggedPath, requestIdOf } from '../http/request-log.ts';
import { refusedSignInPage, signInRefusalOf } from '../auth/sign-in.ts';

/** The body cap of every route but /graphql (useBodyLimit): the pages' forms are a few hundred bytes. */
export const FORM_MAX_BYTES = 64 * 1024;

export interface PageRoute {
  method: 'GET' | 'POST';
  /** Matched against the whole path; its groups are passed to the handler. */
  path: RegExp;
  /** Posted by a browser form: refused when the Origin header names another site. */
  browserForm?: boolean;
  /** Served to clients on this machine only (see loopback.ts); others get 403. */
  loopbackOnly?: boolean;
  /**
   * Public code any site may load (the embedded components' bundle): `Access-Control-Allow-Origin: *`
   * whatever CORS_ORIGINS says, and served before the database is ready, as it needs none.
   */
  anyOrigin?: boolean;
  handle: (request: Request, match: string[]) => Promise<Response>;
}

export function messagePage(title: string, message: string | Html, brand: Brand | null, status: number): Response {
  return htmlResponse(page({ title, brand, body: html`<p role="alert">${message}</p>` }), status);
}

/** The 413 a browser sees, on any route (request-body.ts). */
export const tooLargePage = (message: string) => messagePage('Request too large', message, null, 413);

/** A refusal a browser sees when the route gave none of its own: an unknown path, a method it does not take (error-bodies.ts). */
export const refusalPage = (title: string, message: string, status: number) => messagePage(title, message, null, status);

export interface PagesOptions {
  routes: PageRoute[];
  /** Browser forms must come from here (`Origin`). */
  publicOrigin: string;
  log: Logger;
  /** False until the migrations are applied: pages answer 503, as /graphql does. */
  isReady: () => boolean;
  /** Runs after every form post before its answer (the caller caches catch up with it). */
  afterWrite: () => Promise<void>;
}

const unavailable = () => messagePage('Temporarily unavailable', 'Please try again in a moment.', null, 503);

export function usePages({
  routes,
  publicOrigin,
  log,
  isReady,
  afterWrite,
}: PagesOptions): Plugin<Record<string, unknown>, NodeServerContext> {
  type RequestPayload = Parameters<NonNullable<Plugin<Record<string, unknown>, NodeServerContext>['onRequest']>>[0];
  type Matching = { route: PageRoute; match: string[] }[];

  async function answer({ request, url, endResponse, serverContext, fetchAPI }: RequestPayload, matching: Matching) {
    const found = matching.find(({ route }) => route.method === request.method);
    if (!found) {
      endResponse(new Response(null, { status: 405, headers: { allow: matching.map(({ route }) => route.method).join(', ') } }));
      return;
    }
    if (found.route.loopbackOnly && !isLoopbackClient(request, serverContext)) {
      endResponse(messagePage('Not available', 'This page is served to this machine only.', null, 403));
      return;
    }
    if (!isReady() && !found.route.anyOrigin) {
      endResponse(unavailable());
      return;
    }
    const origin = request.headers.get('origin');
    if (found.route.browserForm && origin !== null && origin !== publicOrigin) {
      endResponse(messagePage('Request refused', 'This form was sent from another site.', null, 403));
      return;
    }
    try {
      refuseNulParameters(url.searchParams);
      const response = await found.route.handle(request, found.match);
      if (request.method === 'POST') await afterWrite();
      endResponse(response);
    } catch (error) {
      // A sign-in over its limits or the password hashing queue full, on a route with no form of its own to show it.
      const refusal = signInRefusalOf(error);
      if (refusal) {
        endResponse(refusedSignInPage(refusal, messagePage('Please try again shortly', refusal.message, null, refusal.status)));
        return;
      }
      if (error instanceof NulInRequestError) {
        endResponse(messagePage('Request refused', 'The request holds a NUL character, which no field accepts.', null, 400));
        return;
      }
      if (error instanceof BodyTooLargeError) {
        endResponse(bodyTooLargeResponse(request, error.maxBytes, fetchAPI, tooLargePage));
        return;
      }
      if (isDatabaseUnavailable(error)) {
        endResponse(unavailable());
        return;
      }
      const requestId = requestIdOf(request);
      log.error({ err: error, requestId, path: loggedPath(url.pathname) }, 'page failed');
      endResponse(messagePage('Something went wrong', `Please try again. Reference: ${requestId}.`, null, 500));
    }
  }

  const anyOrigin = routes.filter((route) => route.anyOrigin);

  return {
    // After yoga's CORS plugin (the first of the plugins), whose CORS_ORIGINS would name one origin.
    onResponse({ request, response }) {
      if (anyOrigin.length === 0 || request.method !== 'GET') return;
      const { pathname } = new URL(request.url);
      if (!anyOrigin.some((route) => route.path.test(pathname))) return;
      response.headers.set('access-control-allow-origin', '*');
      response.headers.delete('access-control-allow-credentials');
    },
    // Not async: every request passes here, and only a page's has anything to wait for.
    onRequest(payload) {
      const matching = routes.flatMap((route) => {
        const match = route.path.exec(payload.url.pathname);
        return match ? [{ route, match: match.slice(1) }] : [];
      });
      if (matching.length === 0) return;
      return answer(payload, matching);
    },
  };
}
