// yoga's CSRF check (a GET or a form post must carry one of the named headers, which a browser sends
// only after a CORS preflight), its 403 given the code FORBIDDEN: the library's carries none.
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export function useCsrfHeaderCheck(requestHeaders: string[]): Plugin {
  const check = useCSRFPrevention({ requestHeaders });
  return {
    onRequestParse(payload) {
      try {
        return check.onRequestParse?.(payload);
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        throw new GraphQLError(`${error.message}: send one of ${requestHeaders.join(', ')}.`, {
          extensions: { ...error.extensions, code: 'FORBIDDEN' },
        });
      }
    },
  };
}
