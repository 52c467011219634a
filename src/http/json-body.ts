// /graphql's JSON request parser. Yoga's own puts JSON.parse's message in the error, and V8 quotes
// the body in it (`Unexpected token 's', "{"secret": sk_live_…" is not valid JSON`): passwords
// and keys sent in a malformed body came back to the client and into the logs. This one says where
// the body stops being JSON (line, column) and never quotes it.
import { GraphQLError } from 'graphql';
import type { GraphQLParams } from 'graphql-yoga';

const badRequest = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });

const WHITESPACE = /[ \t\n\r]*/y;
// JSON strings may not hold control characters unescaped (RFC 8259, section 7).
// biome-ignore lint/suspicious/noControlCharactersInRegex: the range is the rule, not a typo.
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const SCALAR = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class SyntaxAt {
  constructor(readonly offset: number) {}
}

/**
 * The offset of the first character where `text` stops being JSON (its length when it ends too
 * early), or null when it is JSON after all. Only runs on bodies JSON.parse refused.
 */
export function invalidJsonOffset(text: string): number | null {
  let at = 0;
  const match = (pattern: RegExp) => {
    pattern.lastIndex = at;
    if (!pattern.test(text)) return false;
    at = pattern.lastIndex;
    return true;
  };
  const skipWhitespace = () => match(WHITESPACE);
  const expect = (character: string) => {
    skipWhitespace();
    if (text[at] !== character) throw new SyntaxAt(at);
    at += 1;
  };
  /** Parses `open item (, item)* close` or `open close`. */
  const sequence = (close: string, item: () => void) => {
    at += 1;
    skipWhitespace();
    if (text[at] === close) {
      at += 1;
      return;
    }
    for (;;) {
      item();
      skipWhitespace();
      if (text[at] !== ',') break;
      at += 1;
    }
    expect(close);
  };
  const value = (): void => {
    skipWhitespace();
    if (text[at] === '{') {
      sequence('}', () => {
        skipWhitespace();
        if (!match(STRING)) throw new SyntaxAt(at);
        expect(':');
        value();
      });
    } else if (text[at] === '[') {
      sequence(']', value);
    } else if (!match(STRING) && !match(SCALAR)) {
      throw new SyntaxAt(at);
    }
  };
  try {
    value();
    skipWhitespace();
    return at === text.length ? null : at;
  } catch (error) {
    if (error instanceof SyntaxAt) return error.offset;
    if (error instanceof RangeError) return null; // nested too deep to follow: no position, still never quoted
    throw error;
  }
}

function describePosition(text: string, offset: number | null): string {
  if (offset === null) return '';
  if (offset >= text.length) return ': it ends too early';
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return ` at line ${line}, column ${column} (character ${offset + 1})`;
}

export async function parseJsonRequest(request: Request): Promise<GraphQLParams | GraphQLParams[]> {
  const text = await request.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw badRequest(`The request body is not valid JSON${describePosition(text, invalidJsonOffset(text))}.`);
  }
  if (body === null || typeof body !== 'object') throw badRequest('The request body must be a JSON object.');
  return body as GraphQLParams | GraphQLParams[];
}
