// graphql-js quotes the offending value in its input errors ("Variable "$input" got invalid value
// { secretKey: "sk_live_…" } at …", "String cannot represent a non string value: …"). A value may
// be a password or a provider secret, so these messages are rewritten to name the place and the
// reason only, before they reach a client or a log line.
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const VARIABLE_ERROR = /^Variable "(\$[^"]+)" got invalid value [\s\S]*?(?: at "([^"]+)")?; ([\s\S]*)$/;

/** The reason without any value it quotes: "…: 123" and "…, found 123." lose their tail. */
function reasonWithoutValue(reason: string): string {
  const found = reason.search(/, found |: /);
  return found === -1 ? reason : `${reason.slice(0, found)}.`;
}

function scrubbedMessage(message: string): string | null {
  const variable = VARIABLE_ERROR.exec(message);
  if (variable) {
    const [, name, path, reason = ''] = variable;
    return `Variable "${name}" got an invalid value${path ? ` at "${path}"` : ''}: ${reasonWithoutValue(reason)}`;
  }
  const scrubbed = reasonWithoutValue(message);
  return /cannot represent|, found |Expected value of type/.test(message) && scrubbed !== message ? scrubbed : null;
}

function scrub<E extends Error>(error: E): E | GraphQLError {
  const message = scrubbedMessage(error.message);
  if (message === null || !(error instanceof GraphQLError)) return error;
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: error.extensions,
  });
}

export function useInputValueScrubbing(): Plugin {
  return {
    onValidate() {
      return ({ result, setResult }) => {
        if (result.length > 0) setResult(result.map(scrub));
      };
    },
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if ('errors' in result && result.errors?.length) setResult({ ...result, errors: result.errors.map(scrub) });
        },
      };
    },
  };
}
