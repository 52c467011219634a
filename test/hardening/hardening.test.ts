import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import { ViewerDocument } from '../generated/graphql.ts';
import { givenOrganization } from '../support/givens/organizations.ts';
import { startTestServer, withKey } from '../support/server.ts';

const { test, world } = platformWorld({ environment: { CORS_ORIGINS: 'https://app.example' } }, async (seed) => {
  const platform = await seed.organization('Hardened');
  return { platform };
});

/** A raw GraphQL POST, for documents the typed operations cannot express. */
async function post(query: string, headers: Record<string, string> = withKey(world.platform.apiKey), init: RequestInit = {}) {
  const response = await world.server.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
    ...init,
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] },
  };
}

describe('request limits', () => {
  test('refuse queries too deep, with too many aliases or tokens, and bodies too large', async () => {
    const allowed = await post('{ viewer { actingAs { events(first: 5) { edges { node { id } } } } } }');
    expect(allowed.body.errors).toBeUndefined();
    const depthBomb = `{ viewer { ${'organization { tenants { '.repeat(7)}id${' } }'.repeat(7)} } }`;
    // Refused before execution: an error and no data (status 200 for application/json clients, as yoga answers).
    const depth = await post(depthBomb);
    expect(depth.body.data).toBeUndefined();
    expect(depth.body.errors?.[0]?.message).toMatch(/depth limit of 12/i);

    const aliases = await post(`{ ${Array.from({ length: 20 }, (_, index) => `a${index}: viewer { apiKeyId }`).join(' ')} }`);
    expect(aliases.body.data).toBeUndefined();
    expect(aliases.body.errors?.[0]?.message).toMatch(/aliases/i);

    const tokens = await post(`{ viewer { ${'apiKeyId '.repeat(3500)} } }`);
    expect(tokens.body.data).toBeUndefined();
    expect(tokens.body.errors?.[0]?.message).toMatch(/token/i);

    const big = await post(`{ viewer { apiKeyId } } #${'x'.repeat(1024 * 1024)}`);
    expect(big.status).toBe(413);
  });

  test('cap first at 100 rather than load a whole table, and refuse what would cost too much', async () => {
    const capped = await post('{ apiKeys(first: 500) { nodes { id } } }');
    expect(capped.body.errors).toBeUndefined();
    const costly = await post('{ apiKeys(first: 100000) { nodes { id } } }');
    expect(costly.body.errors?.[0]?.message).toMatch(/cost limit of 5000/i);
  });

  test('allow introspection and suggestions to authenticated callers only', async () => {
    const introspection = '{ __schema { queryType { name } } }';
    expect((await post(introspection)).body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    const anonymous = await post(introspection, {});
    expect(anonymous.body.data).toBeUndefined();
    expect(anonymous.body.errors?.[0]?.message).toMatch(/introspection has been disabled/i);

    const typo = '{ viewr { apiKeyId } }';
    expect((await post(typo)).body.errors?.[0]?.message).toContain('Did you mean');
    const anonymousTypo = await post(typo, {});
    expect(anonymousTypo.body.errors?.[0]?.message).not.toContain('Did you mean');
    expect(anonymousTypo.body.errors?.[0]?.message).toContain('Cannot query field "viewr"');
  });
});

describe('browsers', () => {
  test('cannot send a GraphQL request without a preflight (CSRF), while API clients are unaffected', async () => {
    const form = await world.server.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'query=%7Bviewer%7BapiKeyId%7D%7D',
    });
    expect(form.status).toBe(403);
    const simpleGet = await world.server.fetch('/graphql?query=%7B__typename%7D', { headers: { accept: 'application/json' } });
    expect(simpleGet.status).toBe(403);
    const withKey_ = await world.server.fetch('/graphql?query=%7Bviewer%7BapiKeyId%7D%7D', {
      headers: { accept: 'application/json', ...withKey(world.platform.apiKey) },
    });
    expect(withKey_.status).toBe(200);
  });

  test('get CORS headers only for the configured origins', async () => {
    const preflight = (origin: string) =>
      world.server.fetch('/graphql', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
      });
    expect((await preflight('https://app.example')).headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
  });
});

describe('rate limits', () => {
  test('answer RATE_LIMITED (429, Retry-After) once a key spends its burst, per key, and refill over time', async () => {
    const limited = await startTestServer({ environment: { RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '3' } });
    try {
      const first = await givenOrganization(limited, 'Busy');
      const second = await givenOrganization(limited, 'Calm');
      for (let request = 0; request < 3; request += 1)
        expect((await limited.request(ViewerDocument, {}, withKey(first.apiKey))).status).toBe(200);
      const refused = await limited.request(ViewerDocument, {}, withKey(first.apiKey));
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 1 });
      expect((await limited.request(ViewerDocument, {}, withKey(second.apiKey))).status).toBe(200);
      // The counters live in rate-limiter-flexible's windows, on the real clock: wait for the next one.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect((await limited.request(ViewerDocument, {}, withKey(first.apiKey))).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('failures', () => {
  test('answer 503 SERVICE_UNAVAILABLE at once when the database cannot be reached', async () => {
    const orphan = await startTestServer({ databaseUrl: 'postgresql://postgres@127.0.0.1:1/none' });
    try {
      const started = performance.now();
      const response = await orphan.request(ViewerDocument, {}, withKey(world.platform.apiKey));
      expect(response.status).toBe(503);
      expect(response.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
      expect(performance.now() - started).toBeLessThan(5_000);
      expect((await orphan.fetch('/ready')).status).toBe(503);
    } finally {
      await orphan.close();
    }
  });

  test('count requests and errors in /metrics', async () => {
    await world.server.request(ViewerDocument, {}, withKey(world.platform.apiKey));
    await world.server.request(ViewerDocument, {}, withKey('mk_live_unknown'));
    const metrics = await (await world.server.fetch('/metrics')).text();
    expect(metrics).toMatch(/connect_http_requests_total\{operation="Viewer",status="200"\} \d+/);
    expect(metrics).toMatch(/connect_graphql_errors_total\{code="UNAUTHENTICATED"\} \d+/);
    expect(metrics).toContain('connect_http_request_duration_seconds_bucket');
  });

  test('keep /metrics behind METRICS_TOKEN when one is set', async () => {
    const guarded = await startTestServer({ environment: { METRICS_TOKEN: 'metrics-token-0123456789' } });
    try {
      expect((await guarded.fetch('/metrics')).status).toBe(401);
      expect((await guarded.fetch('/metrics', { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
      const allowed = await guarded.fetch('/metrics', { headers: { authorization: 'Bearer metrics-token-0123456789' } });
      expect(allowed.status).toBe(200);
      expect(await allowed.text()).toContain('connect_http_requests_total');
    } finally {
      await guarded.close();
    }
  });
});
