// Production-safe defaults: the development outbox (verification links) is served to this machine
// only, a production server needs METRICS_TOKEN, and a development server that looks like a production
// deployment says so. (The process-level checks are in test/server/process.test.ts.)
import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import { loadConfig } from '../../src/config.ts';
import { newKeyEntry } from '../../src/crypto/key-ring.ts';
import { productionSigns, servingProblems } from '../../src/deployment-checks.ts';

const { test, world } = platformWorld({ listen: true });

/** The server context node's HTTP server hands yoga: the client's TCP address. */
const from = (remoteAddress: string) => ({ req: { socket: { remoteAddress } } });

describe('the development outbox', () => {
  test('is served to loopback clients', async () => {
    const overHttp = await fetch(`${world.server.url}/dev/outbox`);
    expect(overHttp.status).toBe(200);
    expect(
      await fetch(`${world.server.url}/dev/outbox`, { headers: { 'x-forwarded-for': '203.0.113.7' } }).then((response) => response.status),
    ).toBe(403);
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      const response = await world.server.fetch('/dev/outbox', {}, from(address));
      expect(response.status, address).toBe(200);
      expect(await response.text()).toContain('Outbox (development)');
    }
  });

  test('is refused to any other client, to one behind a proxy, and to a request with no address', async () => {
    const refused = [
      await world.server.fetch('/dev/outbox', {}, from('203.0.113.7')),
      await world.server.fetch('/dev/outbox', {}, from('10.0.0.12')),
      await world.server.fetch('/dev/outbox', { headers: { 'x-forwarded-for': '203.0.113.7' } }, from('127.0.0.1')),
      await world.server.fetch('/dev/outbox', { headers: { forwarded: 'for=203.0.113.7' } }, from('127.0.0.1')),
      await world.server.fetch('/dev/outbox'),
    ];
    for (const response of refused) {
      expect(response.status).toBe(403);
      expect(await response.text()).not.toContain('Outbox');
    }
  });
});

const production = { NODE_ENV: 'production', DATABASE_URL: 'postgresql://db.example/connect', ENCRYPTION_KEYS: newKeyEntry(1) };

describe('/metrics in production', () => {
  test('needs METRICS_TOKEN: the server refuses to serve without one', () => {
    expect(servingProblems(loadConfig(production))).toEqual([expect.stringMatching(/^METRICS_TOKEN: required in production/)]);
    expect(servingProblems(loadConfig({ ...production, METRICS_TOKEN: 'metrics-token-0123456789' }))).toEqual([]);
    expect(servingProblems(loadConfig({}))).toEqual([]);
  });
});

describe('a development server that looks like production', () => {
  test('is recognised by DATABASE_URL, an https or non-local PUBLIC_URL', () => {
    expect(productionSigns(loadConfig({}))).toEqual([]);
    expect(productionSigns(loadConfig({ PUBLIC_URL: 'http://127.0.0.1:4000' }))).toEqual([]);
    expect(productionSigns(loadConfig({ DATABASE_URL: 'postgresql://db.example/connect' }))).toEqual(['DATABASE_URL is set']);
    expect(productionSigns(loadConfig({ PUBLIC_URL: 'https://connect.example.com' }))).toEqual([
      'PUBLIC_URL is https',
      'PUBLIC_URL is not a local address',
    ]);
    expect(
      productionSigns(loadConfig({ ...production, METRICS_TOKEN: 'metrics-token-0123456789', PUBLIC_URL: 'https://connect.example.com' })),
    ).toEqual([]);
  });
});

describe('WEB_CONCURRENCY', () => {
  test('takes 1 to 64 processes, and refuses anything else by name', () => {
    expect(loadConfig({}).webConcurrency).toBe(1);
    expect(loadConfig({ WEB_CONCURRENCY: '4', DATABASE_URL: 'postgresql://db.example/connect' }).webConcurrency).toBe(4);
    for (const value of ['0', '65', '1.5', 'two', '-1']) {
      expect(() => loadConfig({ WEB_CONCURRENCY: value, DATABASE_URL: 'postgresql://db.example/connect' }), value).toThrow(
        /WEB_CONCURRENCY/,
      );
    }
  });
});
