import { afterAll, describe, expect } from 'vitest';
import { ViewerDocument } from '../generated/graphql.ts';
import { serverTest } from '../support/world.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// One server for the file; the test about migrating from empty starts its own on an empty database.
const test = serverTest();

const empty: TestServer[] = [];
afterAll(() => Promise.all(empty.map((server) => server.close())));

describe('the server', () => {
  test('is healthy at once, and ready only once its migrations are applied', async () => {
    const server = await startTestServer({ skipMigrations: true });
    empty.push(server);
    expect((await server.fetch('/health')).status).toBe(200);
    expect((await server.fetch('/ready')).status).toBe(503);
    const early = await server.request(ViewerDocument, {});
    expect(early.status).toBe(503);
    expect(early.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect((await server.fetch('/oauth/authorize?client_id=cli_x')).status).toBe(503);

    expect((await server.migrate()).length).toBeGreaterThan(0);
    expect((await server.fetch('/ready')).status).toBe(200);
  });

  test('applies the migration history once: a second run changes nothing', async ({ server }) => {
    expect(await server.migrate()).toEqual([]);
    const recorded = await server.prisma.$queryRaw<{ count: bigint }[]>`SELECT count(*) AS count FROM _prisma_migrations`;
    expect(Number(recorded[0]?.count)).toBeGreaterThan(0);
  });

  test('serves GraphiQL to a browser from its own assets', async ({ server }) => {
    const response = await server.fetch('/graphql', { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<title>Connect GraphiQL</title>');
    expect(html).not.toMatch(/<script[^>]+src="https?:\/\//);
    expect(html).not.toMatch(/<link[^>]+href="https?:\/\//);
  });

  test('gives every response a request id and logs one line per request without headers or variables', async ({ server }) => {
    const response = await server.request(ViewerDocument, {}, { authorization: 'Bearer mk_live_secretsecret' });
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const line = server
      .logs()
      .split('\n')
      .find((entry) => entry.includes(requestId!) && entry.includes('"msg":"request"'));
    expect(JSON.parse(line!)).toMatchObject({ status: 401, path: '/graphql', method: 'POST' });
    expect(server.logs()).not.toContain('mk_live_secretsecret');
  });
});
