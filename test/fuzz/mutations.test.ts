// Property-based: random variables for every mutation of the schema. Whatever comes in, the server
// never answers 5xx, never shows a stack trace or an unexpected error, and a mutation that fails
// writes nothing.
import fc from 'fast-check';
import { getNamedType, isEnumType, isInputObjectType, isListType, isNonNullType, isScalarType, type GraphQLInputType } from 'graphql';
import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import { schema } from '../../src/schema.ts';
import { Prisma } from '../../src/generated/prisma/client.ts';
import { givenActiveAccount } from '../support/givens/connect.ts';
import { ADMIN_SECRET, withKey } from '../support/server.ts';

const { test, world } = platformWorld({ environment: { RATE_LIMIT_PER_SECOND: '0' } }, async (seed) => {
  const platform = await seed.connectPlatform('Fuzzed Platform');
  const account = await givenActiveAccount(seed.server, platform);
  // Not the platform's own key id: revoking it would turn every later run into a plain 401.
  const knownIds = [platform.organizationId, platform.tenantId, account.accountId, account.organizationId];
  return { platform, knownIds };
});

const scalarArbitraries: Record<string, () => fc.Arbitrary<unknown>> = {
  // NUL (which PostgreSQL refuses), control characters and a bidirectional override among them.
  String: () =>
    fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom(
        '',
        ' ',
        'Acme',
        'pk_live_abc123',
        'sk_live_abc123',
        '+14155550123',
        '12-3456789',
        'Ac\u0000me',
        'Acme\u202Egnp',
        'Ac\r\nme\u001b',
      ),
    ),
  ID: () => fc.oneof(fc.constantFrom(...world.knownIds), fc.string({ maxLength: 30 })),
  Int: () => fc.oneof(fc.integer(), fc.constantFrom(0, 300, 3600, -1)),
  Boolean: () => fc.boolean(),
  EmailAddress: () => fc.oneof(fc.emailAddress(), fc.string({ maxLength: 20 })),
  CountryCode: () => fc.oneof(fc.constantFrom('FR', 'US', 'DE', 'XX', 'fr'), fc.string({ maxLength: 3 })),
  URL: () => fc.oneof(fc.webUrl(), fc.string({ maxLength: 20 })),
  PhoneNumber: () => fc.oneof(fc.constantFrom('+14155550123', '555'), fc.string({ maxLength: 16 })),
  DateTime: () =>
    fc.oneof(
      fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
      fc.string({ maxLength: 10 }),
    ),
  JSON: () => fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant({ note: 'a\u0000b' })),
  JSONObject: () => fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
};

function arbitraryFor(type: GraphQLInputType, depth = 0): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return arbitraryFor(type.ofType, depth);
  const orNull = (arbitrary: fc.Arbitrary<unknown>) => fc.oneof({ weight: 9, arbitrary }, { weight: 1, arbitrary: fc.constant(null) });
  if (isListType(type)) return orNull(fc.array(arbitraryFor(type.ofType, depth + 1), { maxLength: 3 }));
  if (isEnumType(type)) return orNull(fc.constantFrom(...type.getValues().map((value) => value.name)));
  if (isScalarType(type)) return orNull(scalarArbitraries[type.name]?.() ?? fc.string());
  if (isInputObjectType(type) && depth < 4) {
    const fields = Object.values(type.getFields());
    const arbitraries = Object.fromEntries(fields.map((field) => [field.name, arbitraryFor(field.type, depth + 1)]));
    // Required fields mostly present, so most inputs get past coercion to the rules behind them.
    const required = fields.filter((field) => isNonNullType(field.type)).map((field) => field.name);
    return fc.oneof(
      { weight: 4, arbitrary: fc.record(arbitraries, { requiredKeys: required }) },
      { weight: 1, arbitrary: fc.record(arbitraries, { requiredKeys: [] }) },
    );
  }
  return fc.constant(null);
}

async function rowCounts(): Promise<string> {
  const tables = Object.values(Prisma.ModelName).map((model) => `(SELECT count(*) FROM "${model}") AS "${model}"`);
  const [counts] = await world.server.prisma.$queryRawUnsafe<Record<string, bigint>[]>(`SELECT ${tables.join(', ')}`);
  return JSON.stringify(counts, (_key, value) => (typeof value === 'bigint' ? Number(value) : value));
}

const mutations = Object.values(schema.getMutationType()?.getFields() ?? {});
/** What the runs came to, so the suite can check that the input reached the resolvers at all. */
const outcomes = new Map<string, number>();

describe('every mutation, fed random input', () => {
  test.each(mutations.map((field) => [field.name, field] as const))(
    '%s never fails the server and never half-writes',
    async (name, field) => {
      const inputArgument = field.args.find((argument) => argument.name === 'input');
      const variableType = inputArgument ? String(inputArgument.type) : null;
      const hasResultUnion = getNamedType(field.type).name.endsWith('Result');
      const query = `mutation Fuzz${variableType ? `($input: ${variableType})` : ''} { ${name}${variableType ? '(input: $input)' : ''} { __typename ${hasResultUnion ? '... on Error { code message }' : ''} } }`;
      const headers = { 'content-type': 'application/json', 'x-admin-secret': ADMIN_SECRET, ...withKey(world.platform.apiKey) };

      await fc.assert(
        fc.asyncProperty(inputArgument ? arbitraryFor(inputArgument.type) : fc.constant(undefined), async (input) => {
          const before = await rowCounts();
          const response = await world.server.fetch('/graphql', {
            method: 'POST',
            headers,
            body: JSON.stringify({ query, variables: { input } }),
          });
          const text = await response.text();
          expect(response.status, text).toBeLessThan(500);
          expect(text).not.toMatch(/Unexpected error|\n\s+at |\.ts:\d+/);
          const body = JSON.parse(text) as {
            data?: Record<string, { __typename?: string; code?: string } | null> | null;
            errors?: unknown[];
          };
          const result = body.data?.[name];
          const outcome = result?.__typename ?? 'top-level error';
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
          const failed = !result || body.errors !== undefined || result.code !== undefined;
          if (failed) expect(await rowCounts(), `${name} failed but wrote: ${text}`).toBe(before);
        }),
        { numRuns: 20, seed: 20261122 },
      );
    },
  );

  test('reached the business rules: typed errors and successes, not only coercion failures', () => {
    const typed = [...outcomes.entries()].filter(([outcome]) => outcome !== 'top-level error');
    expect(typed.filter(([outcome]) => outcome.endsWith('Payload')).length).toBeGreaterThanOrEqual(4);
    expect(typed.filter(([outcome]) => outcome.endsWith('Error')).length).toBeGreaterThan(3);
  });
});
