// No caller ever sees a row of another tenant, or of a tenant a STANDARD grant did not name, through
// any query field or any relation below it. The operations are generated from the schema, so a
// field or relation added later is read here too; a relation without a confinement rule fails
// its query (src/db/confinement-rules.ts), which fails this test.
import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import { schema } from '../../src/schema.ts';
import { typeOfId } from '../../src/core/ids.ts';
import { MARKERS, buildIsolationWorld, type IsolationWorld, type Marker } from '../support/givens/isolation.ts';
import { queriesOfSchema } from '../support/schema-queries.ts';

// Hundreds of probes a second from one key: the rate limit is not what this test is about.
const { test, world } = platformWorld(
  { environment: { RATE_LIMIT_PER_SECOND: '0', RATE_LIMIT_PER_ORGANIZATION_PER_SECOND: '0', RATE_LIMIT_PER_SESSION_PER_SECOND: '0' } },
  async (seed) => {
    const world = await buildIsolationWorld(seed.server);
    return { world };
  },
  120_000,
);

const everyone = Object.values(MARKERS);

/**
 * By design (API.md, Events): a platform's events include what happened in its connected accounts'
 * tenants when it acted for them (connectedAccountId set), so these root fields may show the
 * connections it made there; every other field must not.
 */
const EVENT_FIELDS = new Set(['events', 'event', 'node', 'nodes']);
const seenInEvents: Partial<Record<keyof IsolationWorld['callers'], Marker[]>> = {
  platform: [MARKERS.insideExpress, MARKERS.insideStandard],
};
const except = (...visible: Marker[]) => everyone.filter((marker) => !visible.includes(marker));

/** What each kind of caller may see; everything else must never appear in any answer. */
const expectations: Record<keyof IsolationWorld['callers'], { sees: Marker[]; mayAlsoSee: Marker[] }> = {
  platform: {
    sees: [
      MARKERS.platformOrganization,
      MARKERS.platformTenant,
      MARKERS.subAccountA,
      MARKERS.subAccountB,
      MARKERS.purposeA,
      MARKERS.purposeB,
    ],
    // By design: the name and id of the organizations connected to it, and the tenants they grant (ids on the account).
    mayAlsoSee: [MARKERS.expressOrganization, MARKERS.standardOrganization],
  },
  // A sandbox key of the platform: its organization and its own tenant, nothing of production, Connect or the sub-accounts.
  platformSandbox: { sees: [MARKERS.platformOrganization, MARKERS.platformSandbox], mayAlsoSee: [] },
  otherPlatform: { sees: [MARKERS.otherPlatform], mayAlsoSee: [] },
  subAccount: {
    sees: [MARKERS.subAccountA, MARKERS.insideSubAccountA, MARKERS.purposeA],
    mayAlsoSee: [],
  },
  actingForExpress: { sees: [MARKERS.expressOrganization, MARKERS.insideExpress], mayAlsoSee: [] },
  actingForStandard: { sees: [MARKERS.standardOrganization, MARKERS.insideStandard], mayAlsoSee: [] },
  // A page's account session: what its components allow of its one account (everything else FORBIDDEN).
  // By design: its platform's name, which brands the page's components (accountSession.branding).
  sessionForExpress: { sees: [MARKERS.expressOrganization, MARKERS.insideExpress], mayAlsoSee: [MARKERS.platformOrganization] },
};

/** Ids a caller learns by design although their rows are not its own (foreign keys on its own rows). */
function idsShownByDesign(caller: keyof IsolationWorld['callers']): Set<string> {
  const { ids } = world.world;
  const of = (marker: Marker) => ids.get(marker) ?? [];
  switch (caller) {
    // Every key of the organization sees its tenants' ids and names, and tenant.created names the key that made it.
    case 'platformSandbox':
      return new Set([world.world.platformTenantId, world.world.platformApiKeyId]);
    case 'platform':
      return new Set([world.world.sandboxTenantId]);
    // The sub-account's own row names its platform.
    case 'subAccount':
      return new Set(of(MARKERS.platformOrganization));
    // The acting account's row names the platform, and rows it writes name the platform's key (createdBy).
    case 'actingForExpress':
    case 'actingForStandard':
    case 'sessionForExpress':
      return new Set([...of(MARKERS.platformOrganization), world.world.platformApiKeyId]);
    default:
      return new Set();
  }
}

const { queries, skipped } = queriesOfSchema(schema);

async function post(document: string, variables: Record<string, unknown>, headers: Record<string, string>) {
  const response = await world.server.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: document, variables }),
  });
  return { status: response.status, text: await response.text() };
}

describe('tenant isolation, generated from the schema', () => {
  test('reads every query field except the public ones taken by token', () => {
    expect(skipped).toEqual(['onboardingSession']);
    const rootFields = new Set(queries.map((query) => query.field.split(' ')[0]));
    expect([...rootFields]).toEqual(expect.arrayContaining(['viewer', 'node', 'nodes', 'connectedAccounts', 'subAccounts', 'connections']));
  });

  for (const caller of Object.keys(expectations) as (keyof IsolationWorld['callers'])[]) {
    test(`shows ${caller} nothing of another tenant or an ungranted one`, async () => {
      const { sees, mayAlsoSee } = expectations[caller];
      const byDesign = idsShownByDesign(caller);
      const forbiddenIn = (field: string) => {
        const eventMarkers = EVENT_FIELDS.has(field.split(' ')[0] ?? '') ? (seenInEvents[caller] ?? []) : [];
        const markers = except(...sees, ...mayAlsoSee, ...eventMarkers);
        return { markers, ids: markers.flatMap((marker) => world.world.ids.get(marker) ?? []).filter((id) => !byDesign.has(id)) };
      };
      const probeIds = [...world.world.ids.values()].flat();
      const lookedUp = new Set(queries.map((query) => query.idOf));
      const answers: string[] = [];

      for (const query of queries) {
        // An id goes to the lookups of its own type; one of a type no lookup names (a user's) goes to all.
        const ids = query.idOf ? probeIds.filter((id) => typeOfId(id) === query.idOf || !lookedUp.has(typeOfId(id))) : probeIds;
        const runs = query.needs === 'nothing' ? [{}] : query.needs === 'ids' ? [{ ids: probeIds }] : ids.map((id) => ({ id }));
        const { markers: forbidden, ids: forbiddenIds } = forbiddenIn(query.field);
        for (const variables of runs) {
          const { status, text } = await post(query.document, variables, world.world.callers[caller]);
          const body = JSON.parse(text) as { errors?: { message: string; extensions?: { code?: string } }[] };
          const unexpected = (body.errors ?? []).filter((error) => error.extensions?.code !== 'FORBIDDEN');
          expect(unexpected, `${caller} ${query.field} ${JSON.stringify(variables)}: ${text.slice(0, 500)}`).toEqual([]);
          expect([200, 403], `${caller} ${query.field}`).toContain(status);
          // One assertion per answer, naming whatever leaked (thousands of `expect` calls per caller cost seconds).
          const probed = JSON.stringify(variables);
          const leaked = [
            ...forbidden.filter((marker) => text.includes(marker)),
            // A probe id comes back only inside the error-free null answer, never as data.
            ...forbiddenIds.filter((id) => !probed.includes(id) && text.includes(id)),
          ];
          expect(leaked, `${caller} ${query.field} ${probed} shows what it must not`).toEqual([]);
          answers.push(text);
        }
      }
      // The caller did read its own world: the test would notice if everything came back empty.
      const all = answers.join('\n');
      for (const marker of sees) expect(all, `${caller} should see ${marker}`).toContain(marker);
    }, 120_000);
  }
});

describe('cursors', () => {
  // Ordered by name: the victim's row ("mkP…") sorts before the other platform's ("mkQ…"), so a
  // cursor used as a pivot would page the other platform's own rows and tell where the victim sorts.
  const pages = ([['connections', 'NAME']] as const).map(([field, order]) => ({
    field,
    cursors: `{ ${field}(first: 50, orderBy: { field: ${order} }) { edges { cursor } } }`,
    page: `query($after: String) { ${field}(first: 50, after: $after, orderBy: { field: ${order} }) { nodes { id } } }`,
  }));
  const apiKeysPage = 'query($after: String) { apiKeys(first: 50, after: $after) { nodes { id } } }';
  const nodesOf = (text: string, field: string) =>
    (JSON.parse(text) as { data?: Record<string, { nodes: unknown[] } | null> }).data?.[field]?.nodes;

  test("of another tenant's row behave like unknown ones: they page nothing", async () => {
    // Two rows of its own after the victim's: Prisma skips the cursor's place, so one would hide the leak.
    const extra = `mutation { createConnection(input: { name: "${MARKERS.otherPlatform} extra", providerType: HUBSPOT, secrets: { hubspot: { accessToken: "pat-na1-11112222-3333" } } }) { __typename } }`;
    expect((await post(extra, {}, world.world.callers.otherPlatform)).text).toContain('CreateConnectionPayload');
    for (const { field, cursors, page } of pages) {
      const victim = JSON.parse((await post(cursors, {}, world.world.callers.platform)).text) as {
        data: Record<string, { edges: { cursor: string }[] }>;
      };
      const foreignCursor = victim.data[field]?.edges[0]?.cursor ?? expect.fail(`the platform has no ${field}`);
      const foreign = await post(page, { after: foreignCursor }, world.world.callers.otherPlatform);
      expect(foreign.text).not.toContain('"errors"');
      expect(nodesOf(foreign.text, field), `${field} after a foreign cursor`).toEqual([]);
      const own = await post(page, {}, world.world.callers.otherPlatform);
      expect(nodesOf(own.text, field)?.length, `${field} of the other platform`).toBeGreaterThan(0);
    }
  });

  test("of another tenant's row page nothing in a nested list either", async () => {
    const events = `{ connectedAccounts(first: 1) { nodes { id events(first: 1) { edges { cursor } } } } }`;
    type Accounts = { data: { connectedAccounts: { nodes: { id: string; events: { edges: { cursor: string }[] } }[] } } };
    const foreign = JSON.parse((await post(events, {}, world.world.callers.otherPlatform)).text) as Accounts;
    const foreignCursor =
      foreign.data.connectedAccounts.nodes[0]?.events.edges[0]?.cursor ?? expect.fail('the other platform has no event');
    // The other platform's events come after all of the platform's: before its cursor, a pivot would list them.
    const page = `query($before: String) { connectedAccounts(first: 1) { nodes { events(last: 10, before: $before) { nodes { id } } } } }`;
    const { text } = await post(page, { before: foreignCursor }, world.world.callers.platform);
    const answer = JSON.parse(text) as { data?: { connectedAccounts: { nodes: { events: { nodes: unknown[] } }[] } } };
    expect(answer.data?.connectedAccounts.nodes[0]?.events.nodes, text).toEqual([]);
  });

  test('that no list gave (a NUL, another type) page nothing and log no error', async () => {
    for (const forged of ['GPC:S:\u0000abc', 'GPC:N:5']) {
      const { text } = await post(apiKeysPage, { after: Buffer.from(forged).toString('base64') }, world.world.callers.platform);
      expect(text, forged).not.toContain('"errors"');
      expect(nodesOf(text, 'apiKeys'), forged).toEqual([]);
    }
    expect(world.server.logs()).not.toMatch(/"level":50/);
  });
});
