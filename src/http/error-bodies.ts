// Refusals answered with a status and no body (yoga's 404 for an unknown path and its 415 for a body
// it has no parser for, a page route's 405, /ready's 503) get one, as every other refusal has: the
// GraphQL error shape with an `extensions.code` a client can switch on, or a short page for a browser.
import type { Plugin } from 'graphql-yoga';

/** How a browser is shown a refusal, as a page the web layer draws. */
export type RefusalPage = (title: string, message: string, status: number) => Response;

interface Refusal {
  code: string;
  title: string;
  message: (request: Request, allow: string | null) => string;
}

const refusals: Record<number, Refusal> = {
  404: { code: 'NOT_FOUND', title: 'Not found', message: () => 'Nothing is served at this path: the API is at /graphql.' },
  // BAD_REQUEST, as yoga's own 405s at /graphql (a PUT, a mutation over GET) say.
  405: {
    code: 'BAD_REQUEST',
    title: 'Method not allowed',
    message: (request, allow) => `This path does not take ${request.method}${allow ? `: use ${allow}` : ''}.`,
  },
  406: {
    code: 'NOT_ACCEPTABLE',
    title: 'Not acceptable',
    message: () => 'The Accept header names no type this server answers in: accept application/json.',
  },
  415: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    title: 'Unsupported media type',
    message: () => 'The request body is of a type /graphql does not read: send it as application/json.',
  },
  503: { code: 'SERVICE_UNAVAILABLE', title: 'Temporarily unavailable', message: () => 'Not ready to serve requests: retry shortly.' },
};

export function useErrorBodies(refusalPage: RefusalPage): Plugin {
  return {
    onResponse({ request, response, setResponse, fetchAPI }) {
      const refusal = refusals[response.status];
      // A content type means the answer has a body of its own (a page, a JSON error): left as it is.
      if (!refusal || response.headers.has('content-type')) return;
      const message = refusal.message(request, response.headers.get('allow'));
      if ((request.headers.get('accept') ?? '').includes('text/html')) {
        const page = refusalPage(refusal.title, message, response.status);
        response.headers.forEach((value, name) => {
          if (name !== 'content-length' && !page.headers.has(name)) page.headers.set(name, value);
        });
        setResponse(page);
        return;
      }
      const headers = new fetchAPI.Headers(response.headers);
      headers.delete('content-length');
      headers.set('content-type', 'application/json; charset=utf-8');
      setResponse(
        new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions: { code: refusal.code } }] }), {
          status: response.status,
          headers,
        }),
      );
    },
  };
}
