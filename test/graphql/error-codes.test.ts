// Errors a client can switch on: every refusal has an `extensions.code`, and those HTTP answers
// with a status of their own (404, 405, 406, 415) have the JSON body `{ errors: [{ message,
// extensions: { code } }] }` too. Every connection of the schema, found by walking it, refuses a
// negative page with BAD_USER_INPUT and says its page sizes in its description.
import { getNamedType, isNonNullType, isObjectType, type GraphQLField, type GraphQLNamedType, type GraphQLObjectType } from 'graphql';
import { describe, expect } from 'vitest';
import { pageSizeDescription, pageSizes } from '../../src/graphql/page-size-plugin.ts';
import { queryLimits } from '../../src/http/limits.ts';
import { schema } from '../../src/schema.ts';
import { withKey } from '../support/server.ts';
import { platformWorld } from '../support/world.ts';

const { test, world } = platformWorld({ environment: { RATE_LIMIT_PER_SECOND: '0' } }, async (seed) => {
  const platform = await seed.connectPlatform('Error Codes Platform');
  // A connected account, so the nested connections below it are reached.
  await platform.expressAccount();
  return { platform };
});

interface Answer {
  status: number;
  contentType: string;
  text: string;
  errors: { message: string; extensions?: { code?: string } }[];
}

async function send(path: string, init: RequestInit): Promise<Answer> {
  const response = await world.server.fetch(path, init);
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  const errors = contentType.includes('json') ? ((JSON.parse(text) as { errors?: Answer['errors'] }).errors ?? []) : [];
  return { status: response.status, contentType, text, errors };
}

const post = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  send('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...withKey(world.platform.apiKey), ...headers },
    body: JSON.stringify(body),
  });

/** The answer is JSON, its status is `status`, every error has a code and the first one is `code`. */
function expectRefusal(answer: Answer, status: number, code: string) {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.contentType, answer.text).toMatch(/^application\/(graphql-response\+)?json/);
  expect(answer.errors[0]?.extensions?.code, answer.text).toBe(code);
  expect(
    answer.errors.filter((error) => typeof error.extensions?.code !== 'string'),
    answer.text,
  ).toEqual([]);
  expect(answer.text).not.toMatch(/Syntax Error/);
}

/** The fields of the schema that return a Relay connection, and how a query reaches each from the root. */
interface ConnectionField {
  coordinate: string;
  field: GraphQLField<unknown, unknown>;
  /** The query, with `ARGS` where the connection's page arguments go. */
  document: string;
}

const requiredArgs = (field: GraphQLField<unknown, unknown>) =>
  field.args.filter((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined);

const isConnection = (type: GraphQLNamedType): type is GraphQLObjectType =>
  isObjectType(type) && ['edges', 'nodes', 'pageInfo'].every((name) => name in type.getFields());

/**
 * Every connection field, each reached by the shortest path from Query through fields whose required
 * arguments are all IDs (given a made-up one: the page arguments are refused before any lookup).
 */
function connectionFieldsOfSchema(): ConnectionField[] {
  const query = schema.getQueryType();
  if (!query) return [];
  const found = new Map<string, ConnectionField>();
  const reached = new Set<string>();
  let frontier: { type: GraphQLObjectType; wrap: (inner: string) => string }[] = [{ type: query, wrap: (inner) => `{ ${inner} }` }];
  while (frontier.length > 0) {
    const next: typeof frontier = [];
    for (const { type, wrap } of frontier) {
      for (const field of Object.values(type.getFields())) {
        const required = requiredArgs(field);
        if (required.some((arg) => getNamedType(arg.type).name !== 'ID')) continue;
        const given = required.map((arg) => `${arg.name}: "x_0"`);
        const named = getNamedType(field.type);
        if (isConnection(named)) {
          const coordinate = `${type.name}.${field.name}`;
          if (!found.has(coordinate))
            found.set(coordinate, { coordinate, field, document: wrap(`${field.name}(${[...given, 'ARGS'].join(', ')}) { __typename }`) });
          // Below a connection: through its nodes, at a small page.
          const node = getNamedType(named.getFields().nodes?.type ?? named);
          if (isObjectType(node) && !reached.has(node.name)) {
            reached.add(node.name);
            const args = [...given, 'first: 1'].join(', ');
            next.push({ type: node, wrap: (inner) => wrap(`${field.name}(${args}) { nodes { ${inner} } }`) });
          }
        } else if (isObjectType(named) && !reached.has(named.name)) {
          reached.add(named.name);
          const args = given.length > 0 ? `(${given.join(', ')})` : '';
          next.push({ type: named, wrap: (inner) => wrap(`${field.name}${args} { ${inner} }`) });
        }
      }
    }
    frontier = next;
  }
  return [...found.values()];
}

const connections = connectionFieldsOfSchema();
const withArgs = (connection: ConnectionField, args: string) => connection.document.replace('ARGS', args);

describe('every connection of the schema', () => {
  test('is found, the nested ones too', () => {
    const coordinates = connections.map((connection) => connection.coordinate);
    expect(coordinates).toEqual(expect.arrayContaining(['Query.apiKeys', 'Query.events', 'ConnectedAccount.events']));
    expect(coordinates.length).toBeGreaterThanOrEqual(12);
  });

  test.each(connections.map((connection) => [connection.coordinate, connection] as const))(
    '%s: says its page sizes in its description',
    (_coordinate, connection) => {
      expect(connection.field.description).toContain(pageSizeDescription);
      expect(connection.field.description).toContain(`at most ${pageSizes.maxSize}`);
    },
  );

  test.each(connections.map((connection) => [connection.coordinate, connection] as const))(
    '%s: a negative first or last, literal or variable, is BAD_USER_INPUT',
    async (_coordinate, connection) => {
      for (const args of ['first: -1', 'last: -1']) expectRefusal(await post({ query: withArgs(connection, args) }), 200, 'BAD_USER_INPUT');
      const variable = withArgs(connection, 'first: $first').replace(/^\{/, 'query($first: Int) {');
      expectRefusal(await post({ query: variable, variables: { first: -5 } }), 200, 'BAD_USER_INPUT');
    },
  );

  test.each(connections.map((connection) => [connection.coordinate, connection] as const))(
    '%s: a cursor that is not one, or before with after, is BAD_USER_INPUT',
    async (_coordinate, connection) => {
      expectRefusal(await post({ query: withArgs(connection, 'after: "not a cursor"') }), 200, 'BAD_USER_INPUT');
      expectRefusal(await post({ query: withArgs(connection, 'before: "a", after: "b"') }), 200, 'BAD_USER_INPUT');
    },
  );

  test.each(connections.map((connection) => [connection.coordinate, connection] as const))(
    '%s: a first over the cap is read as the cap, not refused',
    async (_coordinate, connection) => {
      const answer = await post({ query: withArgs(connection, `first: ${pageSizes.maxSize + 1}`) });
      expect(answer.status, answer.text).toBe(200);
      expect(
        answer.errors.filter((error) => error.extensions?.code !== 'NOT_FOUND'),
        answer.text,
      ).toEqual([]);
    },
  );
});

describe('a variable the operation cannot use', () => {
  test('of the wrong type: 400 BAD_USER_INPUT', async () => {
    const answer = await post({ query: 'query($first: Int) { apiKeys(first: $first) { totalCount } }', variables: { first: 'ten' } });
    expectRefusal(answer, 400, 'BAD_USER_INPUT');
  });

  test('required and missing: 400 BAD_USER_INPUT', async () => {
    expectRefusal(await post({ query: 'query($id: ID!) { node(id: $id) { id } }', variables: {} }), 400, 'BAD_USER_INPUT');
  });
});

describe('a query over the limits: QUERY_TOO_COMPLEX, never "Syntax Error"', () => {
  const overLimits: [limit: string, query: string][] = [
    ['cost', `{ apiKeys(first: 100000) { nodes { id } } }`],
    ['depth', `{ ${'viewer { actingAs { events(first: 1) { nodes { account { '.repeat(3)}id${' } } } } }'.repeat(3)} }`],
    ['aliases', `{ ${Array.from({ length: queryLimits.maxAliases + 1 }, (_, index) => `a${index}: viewer { apiKeyId }`).join(' ')} }`],
    [
      'directives',
      `{ viewer { ${Array.from({ length: queryLimits.maxDirectives + 1 }, () => 'apiKeyId @include(if: true)').join(' ')} } }`,
    ],
    ['tokens', `{ viewer { ${'apiKeyId '.repeat(queryLimits.maxTokens)} } }`],
  ];

  test.each(overLimits)('%s: 200 for an application/json client, 400 for application/graphql-response+json', async (limit, shape) => {
    // With a field the schema does not have: a validation that went on past the limit would say so too.
    const query = shape.replace(/^\{/, '{ notAField');
    const json = await post({ query });
    expectRefusal(json, 200, 'QUERY_TOO_COMPLEX');
    // Refused at the first sight of the excess: nothing more of the document is parsed or validated.
    expect(json.errors, json.text).toHaveLength(1);
    expect(json.errors[0]?.message.toLowerCase()).toContain(limit === 'tokens' ? 'token limit' : `${limit} limit`);
    expectRefusal(await post({ query }, { accept: 'application/graphql-response+json' }), 400, 'QUERY_TOO_COMPLEX');
  });

  test('says by how much', async () => {
    const answer = await post({ query: '{ apiKeys(first: 100000) { nodes { id } } }' });
    expect(answer.errors[0]?.message).toMatch(new RegExp(`^Query Cost limit of ${queryLimits.maxCost} exceeded: the query has \\d+\\.$`));
  });
});

describe('HTTP refusals have a JSON body with a code', () => {
  test('415: a body /graphql does not read', async () => {
    const answer = await send('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'text/xml', ...withKey(world.platform.apiKey) },
      body: '<query/>',
    });
    expectRefusal(answer, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  test('405: a method a path does not take, at /graphql and at a page', async () => {
    const graphql = await send('/graphql', { method: 'PUT', headers: withKey(world.platform.apiKey) });
    expectRefusal(graphql, 405, 'BAD_REQUEST');
    const page = await send('/onboarding/some-token', { method: 'PUT' });
    expectRefusal(page, 405, 'BAD_REQUEST');
    expect(page.errors[0]?.message).toBe('This path does not take PUT: use GET.');
  });

  test('404: a path nothing is served at; a browser gets a page', async () => {
    expectRefusal(await send('/nothing-here', { method: 'GET' }), 404, 'NOT_FOUND');
    expectRefusal(
      await send('/nothing-here', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
      404,
      'NOT_FOUND',
    );
    const browser = await send('/nothing-here', { method: 'GET', headers: { accept: 'text/html' } });
    expect(browser.status).toBe(404);
    expect(browser.contentType).toContain('text/html');
    expect(browser.text).toContain('Not found');
  });

  test('406: an Accept header naming nothing the server answers in', async () => {
    expectRefusal(await post({ query: '{ viewer { apiKeyId } }' }, { accept: 'text/xml' }), 406, 'NOT_ACCEPTABLE');
  });

  test('403: a GET without the header a browser cannot send unpreflighted (CSRF)', async () => {
    const answer = await send(`/graphql?query=${encodeURIComponent('{ viewer { apiKeyId } }')}`, { method: 'GET' });
    expectRefusal(answer, 403, 'FORBIDDEN');
  });

  test('400: a body that is not JSON, and a mutation over GET (405), as before', async () => {
    const malformed = await send('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...withKey(world.platform.apiKey) },
      body: '{"query": ',
    });
    expectRefusal(malformed, 400, 'BAD_REQUEST');
    const mutation = encodeURIComponent('mutation { createApiKey(input: { name: "x" }) { __typename } }');
    expectRefusal(await send(`/graphql?query=${mutation}`, { method: 'GET', headers: withKey(world.platform.apiKey) }), 405, 'BAD_REQUEST');
  });
});
