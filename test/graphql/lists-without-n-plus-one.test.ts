// No list costs more for a longer page. For every root query field that returns a connection, an
// operation generated from the schema reads its nodes with every scalar, every relation and every
// list below them (nested connections at the same page size), at first: 10 and at first: 100, for
// every kind of caller the isolation world builds; both must cost the same number of database
// operations. Each list, and each list below it, holds more than 10 rows for these callers, and the
// test fails when one does not (a list added to the schema later cannot go unread).
//
// The world: the isolation world's callers, made through the confined mutations, then 12 rows per
// list and per nested list for each of them, written in bulk through server.prisma
// (test/support/givens/crowded-lists.ts). `N_PLUS_ONE_REPORT=1` prints the counts (docs/performance.md).
//
// What is counted: Prisma operations run inside the request (test/support/prisma-operations.ts),
// not SQL statements: the Rust-free client offers no query event and pg_stat_statements is absent
// from the test cluster. Prisma plans an operation level by level, never row by row, so a count of
// operations that does not grow with the page is a count of statements that does not either.
import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import { schema } from '../../src/schema.ts';
import { crowdEveryList, scopeOf } from '../support/givens/crowded-lists.ts';
import { buildIsolationWorld, type IsolationWorld } from '../support/givens/isolation.ts';
import { prismaOperationsOf } from '../support/prisma-operations.ts';
import { listQueriesOfSchema, type GeneratedListQuery } from '../support/schema-queries.ts';

type Caller = keyof IsolationWorld['callers'];

/** Per caller, the required arguments of the lists that take one. */
const argumentsOf = new Map<Caller, Record<string, string>>();

// Hundreds of requests from one key: the rate limit is not what this test is about.
const { test, world } = platformWorld(
  { environment: { RATE_LIMIT_PER_SECOND: '0', RATE_LIMIT_PER_SESSION_PER_SECOND: '0' } },
  async (seed) => {
    const world = await buildIsolationWorld(seed.server);
    for (const caller of Object.keys(world.callers) as Caller[]) {
      // The session reads the tenant the platform acts in for its account: crowded once, for both.
      if (caller === 'sessionForExpress') continue;
      argumentsOf.set(caller, await crowdEveryList(seed.server, await scopeOf(seed.server, world.callers[caller])));
    }
    argumentsOf.set('sessionForExpress', argumentsOf.get('actingForExpress') ?? {});
    return { world };
  },
  120_000,
);

/** Acting on behalf of an account, a caller sees the one tenant it acts in: a page of one, by design. */
const shortPagesByDesign: Partial<Record<string, Caller[]>> = { tenants: ['actingForExpress', 'actingForStandard'] };

interface Answer {
  data?: unknown;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** The longest array found under each `Type.field` of an answer (every object carries its `__typename`). */
function longestLists(value: unknown, lengths = new Map<string, number>()): Map<string, number> {
  if (Array.isArray(value)) {
    for (const item of value) longestLists(item, lengths);
  } else if (value !== null && typeof value === 'object') {
    const { __typename: type } = value as { __typename?: unknown };
    for (const [field, inner] of Object.entries(value)) {
      if (typeof type === 'string' && Array.isArray(inner)) {
        const key = `${type}.${field}`;
        lengths.set(key, Math.max(lengths.get(key) ?? 0, inner.length));
      }
      longestLists(inner, lengths);
    }
  }
  return lengths;
}

async function read(query: GeneratedListQuery, caller: Caller, first: number) {
  const given = argumentsOf.get(caller) ?? {};
  const variables = Object.fromEntries([
    ['first', first],
    ...query.needs.map((name) => [name, given[name] ?? expect.fail(`no ${name} for ${query.field}`)]),
  ]);
  const { count, result } = await prismaOperationsOf(world.server, async () => {
    const response = await world.server.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...world.world.callers[caller] },
      body: JSON.stringify({ query: query.document, variables }),
    });
    return (await response.json()) as Answer;
  });
  // A caller a list is not for is refused it (FORBIDDEN): that costs nothing per row either.
  const unexpected = (result.errors ?? []).filter((error) => error.extensions?.code !== 'FORBIDDEN');
  expect(unexpected, `${caller} ${query.field}(first: ${first})`).toEqual([]);
  return { operations: count, lists: longestLists(result.data) };
}

const queries = listQueriesOfSchema(schema);

describe('every list, generated from the schema', () => {
  test('covers the root lists', () => {
    expect(queries.map((query) => query.field)).toEqual(
      expect.arrayContaining(['connectedAccounts', 'subAccounts', 'connections', 'events', 'webhookDeliveries']),
    );
  });

  for (const query of queries) {
    test(`${query.field}: as many operations at first: 100 as at first: 10, for every caller`, async () => {
      const longest = new Map<string, number>();
      const costs = new Map<Caller, { ten: number; hundred: number }>();
      for (const caller of Object.keys(world.world.callers) as Caller[]) {
        // Once unmeasured: a first request may fill the per-process caches (the key, the account).
        await read(query, caller, 10);
        const ten = await read(query, caller, 10);
        const hundred = await read(query, caller, 100);
        costs.set(caller, { ten: ten.operations, hundred: hundred.operations });
        for (const [list, length] of hundred.lists) longest.set(list, Math.max(longest.get(list) ?? 0, length));
        // A caller that sees the list at all sees more than 10 of its rows: first: 100 did read a longer page.
        const page = hundred.lists.get(query.page) ?? 0;
        if (page > 0 && !shortPagesByDesign[query.field]?.includes(caller))
          expect(page, `${query.field} as ${caller} at first: 100`).toBeGreaterThan(10);
        // A page of 10 holds at most 10 (lists that are not connections have no page): the two sizes differ.
        for (const [list, length] of ten.lists) {
          if (list.endsWith('Connection.nodes')) expect(length, `${list} at first: 10 as ${caller}`).toBeLessThanOrEqual(10);
        }
      }
      // Every list this operation reads returned more than a page of 10 to some caller: none went unread.
      for (const list of query.lists) {
        expect(
          longest.get(list) ?? 0,
          `${query.field}: ${list} never held more than 10 rows (seed it in test/support/givens/crowded-lists.ts)`,
        ).toBeGreaterThan(10);
      }
      const operations = [...costs].map(([caller, { ten, hundred }]) => `${caller} ${ten} at first: 10, ${hundred} at first: 100`);
      const growing = [...costs].filter(([, { ten, hundred }]) => ten !== hundred).map(([caller]) => caller);
      expect(growing, `${query.field} costs more operations for a longer page: ${operations.join('; ')}`).toEqual([]);
      if (process.env.N_PLUS_ONE_REPORT) console.log(`${query.field}: ${operations.join('; ')}`);
    });
  }
});
