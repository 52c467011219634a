// Where webhooks may go: https only in production, never into the server's own network (checked
// at save time and again at connect time, so DNS rebinding is refused), http to localhost outside it.
import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { createServer, request, type Agent } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/domain-errors.ts';
import { checkOutboundUrl, dnsResolver, RefusedAddressError, type AddressPolicy, type Resolver } from '../../src/net/address-guard.ts';
import { guardedAgents } from '../../src/net/guarded-agents.ts';
import { sendWebhook } from '../../src/webhooks/sender.ts';
import { CreateConnectionDocument, CreateWebhookEndpointDocument } from '../generated/graphql.ts';
import { givenOrganization } from '../support/givens/organizations.ts';
import { startTestServer, TEST_ENCRYPTION_KEYS, withKey, type TestServer } from '../support/server.ts';
import { startReceiver } from './receiver.ts';

const resolvesTo =
  (...addresses: string[]): Resolver =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

const production = (resolve: Resolver, allowPrivateNetworks = false): AddressPolicy => ({
  production: true,
  allowPrivateNetworks,
  resolve,
});
const development: AddressPolicy = { production: false, allowPrivateNetworks: false };

async function refusal(url: string, policy: AddressPolicy): Promise<string | null> {
  try {
    await checkOutboundUrl(new URL(url), policy, 'input.url');
    return null;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    expect(error.fields).toEqual(['input.url']);
    return error.message;
  }
}

/**
 * Every literal host that reaches, embeds or translates to an address inside the server's network,
 * or that IANA's special-purpose registries reserve, in the spellings a URL takes. The first three
 * groups passed once (`::ffff:0:a.b.c.d`, `fec0::/10`, Teredo).
 */
const refusedHosts = [
  // IPv4-translated (RFC 2765), whatever it embeds; site-local (deprecated, RFC 3879); Teredo
  '[::ffff:0:127.0.0.1]',
  '[::ffff:0:7f00:1]',
  '[0:0:0:0:ffff:0:a9fe:a9fe]',
  '[::ffff:0:8.8.8.8]',
  '[fec0::1]',
  '[feff:ffff::1]',
  '[2001::1]',
  '[2001:0:4136:e378:8000:63bf:3fff:fdd2]',
  // IPv4-mapped, in every spelling
  '[::ffff:127.0.0.1]',
  '[::FFFF:7F00:1]',
  '[0:0:0:0:0:ffff:127.0.0.1]',
  '[0000:0000:0000:0000:0000:ffff:7f00:0001]',
  '[::ffff:10.0.0.1]',
  '[::ffff:a9fe:a9fe]',
  '[::ffff:0.0.0.0]',
  '[::ffff:192.0.2.1]',
  // IPv4-compatible (deprecated) and the rest of ::/8; NAT64; 6to4 (and its IPv4 relays below)
  '[::127.0.0.1]',
  '[::a9fe:a9fe]',
  '[::1:2]',
  '[64:ff9b::127.0.0.1]',
  '[64:ff9b:1::a00:1]',
  '[2002:7f00:1::1]',
  '[2002:a9fe:a9fe::]',
  // unspecified, loopback, unique local (and a cloud's metadata address in it), link-local, multicast
  '[::]',
  '[::1]',
  '[fc00::1]',
  '[fd00:ec2::254]',
  '[fe80::1]',
  '[ff02::1]',
  // discard (RFC 6666) and the dummy prefix beside it; documentation; benchmarking; ORCHID and ORCHIDv2;
  // drone tags; AMT; AS112; other IETF protocol assignments; SRv6 SIDs; unassigned space
  '[100::1]',
  '[100:0:0:1::1]',
  '[2001:db8::1]',
  '[3fff::1]',
  '[2001:2::1]',
  '[2001:10::1]',
  '[2001:20::1]',
  '[2001:30::1]',
  '[2001:3::1]',
  '[2001:4:112::1]',
  '[2620:4f:8000::1]',
  '[2001:1::1]',
  '[5f00::1]',
  '[4000::1]',
  // IPv4: this network, private, shared, loopback, link-local, IETF assignments, documentation,
  // the 6to4 relay anycast, benchmarking, multicast, reserved, broadcast, AS112, AMT
  '0.0.0.0',
  '10.1.2.3',
  '172.16.0.1',
  '172.31.255.255',
  '192.168.1.1',
  '100.64.0.1',
  '100.127.255.254',
  '127.0.0.1',
  '127.8.9.10',
  '169.254.169.254',
  '192.0.0.9',
  '192.0.2.1',
  '198.51.100.7',
  '203.0.113.9',
  '192.88.99.1',
  '198.18.0.1',
  '224.0.0.1',
  '240.0.0.1',
  '255.255.255.255',
  '192.31.196.1',
  '192.175.48.1',
  '192.52.193.1',
  // IPv4 in the other spellings a URL turns into the dotted one
  '2130706433',
  '0x7f.1',
  '0177.0.0.1',
  '127.1',
  '0xa9fea9fe',
];
const acceptedHosts = [
  '93.184.216.34',
  '8.8.8.8',
  '172.32.0.1',
  '100.128.0.1',
  '[2606:4700::1111]',
  '[2a00:1450:4007:80e::200e]',
  '[::ffff:8.8.8.8]',
];

describe('the webhook address guard', () => {
  // A literal host is judged as it is, never resolved.
  const literalOnly = production(async (host) => expect.fail(`${host} was resolved`));

  it.each(refusedHosts)('refuses https://%s/ when saved in production', async (host) => {
    expect(await refusal(`https://${host}/hooks`, literalOnly)).toMatch(/private, loopback, link-local or metadata/);
  });

  it.each(acceptedHosts)('accepts https://%s/', async (host) => {
    expect(await refusal(`https://${host}/hooks`, literalOnly)).toBeNull();
  });

  it('refuses every such host at send time, before connecting', async () => {
    for (const host of refusedHosts) {
      const outcome = await sendWebhook({ url: `https://${host}:9/hooks`, body: '{}', headers: {} }, literalOnly);
      expect(outcome, host).toMatchObject({ delivered: false, status: null });
      expect(outcome.error, host).toMatch(/^refused/);
    }
    // An IPv4-mapped spelling does reach a loopback receiver when nothing refuses it: the guard is what stops it.
    const receiver = await startReceiver();
    try {
      const { port } = new URL(receiver.url);
      for (const host of ['[::ffff:127.0.0.1]', '[0:0:0:0:0:ffff:7f00:1]']) {
        const message = { url: `http://${host}:${port}/hooks`, body: '{}', headers: {} };
        expect((await sendWebhook(message, literalOnly)).error, host).toMatch(/^refused/);
        expect(await sendWebhook(message, production(resolvesTo('127.0.0.1'), true)), host).toMatchObject({ delivered: true, status: 204 });
      }
    } finally {
      await receiver.close();
    }
  });

  it('in production: https only, and no host that resolves into a refused range', async () => {
    const publicHost = production(resolvesTo('93.184.216.34'));
    expect(await refusal('https://hooks.example/in', publicHost)).toBeNull();
    expect(await refusal('http://hooks.example/in', publicHost)).toMatch(/https/);
    expect(await refusal('http://localhost:3000/in', publicHost)).toMatch(/https/);
    expect(await refusal('https://hooks.example/in', production(resolvesTo('10.0.0.7')))).toMatch(/private/);
    // One refused address among several is enough.
    expect(await refusal('https://hooks.example/in', production(resolvesTo('93.184.216.34', 'fd00:ec2::254')))).toMatch(/private/);
    expect(await refusal('https://169.254.169.254/latest/meta-data', publicHost)).toMatch(/private/);
    expect(await refusal('https://[::1]/in', publicHost)).toMatch(/private/);
    expect(
      await refusal(
        'https://nowhere.invalid/in',
        production(async () => Promise.reject(new Error('ENOTFOUND'))),
      ),
    ).toMatch(/does not resolve/);
    // WEBHOOK_ALLOW_PRIVATE_NETWORKS lifts the address check, not the https rule.
    expect(await refusal('https://hooks.internal/in', production(resolvesTo('10.0.0.7'), true))).toBeNull();
    expect(await refusal('http://hooks.internal/in', production(resolvesTo('10.0.0.7'), true))).toMatch(/https/);
  });

  it('outside production: http for loopback hosts only', async () => {
    expect(await refusal('http://localhost:3000/in', development)).toBeNull();
    expect(await refusal('http://127.0.0.1:3000/in', development)).toBeNull();
    expect(await refusal('http://[::1]:3000/in', development)).toBeNull();
    expect(await refusal('http://hooks.example/in', development)).toMatch(/https/);
    expect(await refusal('https://hooks.example/in', development)).toBeNull();
  });

  it('refuses at connect time a host that resolved to a public address at save time (DNS rebinding)', async () => {
    const receiver = await startReceiver();
    try {
      let answers = 0;
      // Public when the endpoint is saved, loopback when the request connects.
      const rebinding: Resolver = async () => [{ address: answers++ === 0 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
      const policy = production(rebinding);
      expect(await refusal('https://rebind.example/hooks', policy)).toBeNull();
      const url = receiver.url.replace('127.0.0.1', 'rebind.example');
      const outcome = await sendWebhook({ url, body: '{}', headers: {} }, policy);
      expect(outcome).toMatchObject({ delivered: false, status: null });
      expect(outcome.error).toMatch(/refused/);
      expect(receiver.receipts).toHaveLength(0);
      // The request's own lookup asked the resolver again, at connect time.
      expect(answers).toBe(2);
      // With the guard lifted the receiver is reachable: it was the guard that refused.
      const lifted = await sendWebhook({ url: receiver.url, body: '{}', headers: {} }, production(rebinding, true));
      expect(lifted).toMatchObject({ delivered: true, status: 204 });
    } finally {
      await receiver.close();
    }
  });
});

describe('looking up the host a tenant chose', () => {
  // Issue 23, found by an outsider's probe: the guard resolved through dns.lookup, on libuv's pool of
  // 4 threads; 4 lookups of names whose DNS never answers held them all, and every other lookup of
  // the process waited (another organization's deliveries: 0 of 20). Now through DNS (c-ares).
  it("resolves through DNS on its own sockets: lookups that hang hold none of the pool's threads, and give up", async () => {
    const silentDns = createSocket('udp4');
    await new Promise<void>((resolve) => silentDns.bind(0, '127.0.0.1', resolve));
    try {
      const resolve = dnsResolver({ servers: [`127.0.0.1:${silentDns.address().port}`], timeoutMs: 300 });
      const started = Date.now();
      const hanging = Promise.allSettled(Array.from({ length: 8 }, (_, index) => resolve(`never${index}.attacker.example`)));
      // Meanwhile the thread pool serves at once (a file read runs there, as dns.lookup did).
      const poolStarted = Date.now();
      await Promise.all(Array.from({ length: 8 }, () => readFile(fileURLToPath(import.meta.url))));
      expect(Date.now() - poolStarted).toBeLessThan(500);
      const outcomes = await hanging;
      expect(outcomes.every((outcome) => outcome.status === 'rejected' && (outcome.reason as { code?: string }).code === 'ETIMEOUT')).toBe(
        true,
      );
      // Two tries of 300 ms each, all eight at once.
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      silentDns.close();
    }
  });
});

describe("a provider check's guarded agents", () => {
  const get = (url: string, agent: Agent) =>
    new Promise<string>((resolve) => {
      const outgoing = request(url, { agent }, (response) => {
        response.resume();
        resolve(`HTTP ${response.statusCode}`);
      });
      outgoing.on('error', (error: Error & { code?: string }) => resolve(error.code ?? error.message));
      outgoing.end();
    });

  it('refuse in production an IP-literal host the DNS lookup never sees (a redirect to one), and open one connection', async () => {
    let asked = 0;
    const provider = createServer((_request, response) => {
      asked += 1;
      response.writeHead(200).end();
    });
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    const literal = `http://127.0.0.1:${(provider.address() as AddressInfo).port}/`;
    const controller = new AbortController();
    try {
      const agents = guardedAgents(new URL('http://provider.example/'), production(resolvesTo('93.184.216.34')), controller.signal);
      expect(await get(literal, agents.http)).toBe('EREFUSEDADDRESS');
      await expect(agents.refusal).rejects.toBeInstanceOf(RefusedAddressError);
      expect(asked).toBe(0);
      // Outside production the loopback literal is reached, once: a second connection is a redirect.
      const local = guardedAgents(new URL(literal), development, controller.signal);
      expect(await get(literal, local.http)).toBe('HTTP 200');
      expect(await get(literal, local.http)).toBe('EREDIRECTREFUSED');
      expect(asked).toBe(1);
    } finally {
      controller.abort();
      provider.closeAllConnections();
      await new Promise<void>((resolve) => provider.close(() => resolve()));
    }
  });
});

describe('creating an endpoint in production', () => {
  let server: TestServer;
  afterAll(() => server?.close());

  it('refuses a private address with VALIDATION on input.url', async () => {
    server = await startTestServer({
      environment: { NODE_ENV: 'production', DATABASE_URL: 'postgresql://unused.invalid/db', ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS },
    });
    const owner = await givenOrganization(server, 'Production Org');
    for (const url of [...refusedHosts.map((host) => `https://${host}/hooks`), 'https://localhost/hooks', 'http://93.184.216.34/hooks']) {
      const response = await server.request(CreateWebhookEndpointDocument, { input: { url, eventTypes: ['*'] } }, withKey(owner.apiKey));
      const result = response.data?.createWebhookEndpoint;
      expect(result?.__typename, `${url}: ${JSON.stringify(response)}`).toBe('ValidationError');
      expect(result?.__typename === 'ValidationError' && result.fields).toEqual(['input.url']);
    }
    expect(await server.prisma.webhookEndpoint.count()).toBe(0);
  });

  it("refuses the same hosts as a connection's provider endpoint, with VALIDATION on input.settings.endpoint", async () => {
    const owner = await givenOrganization(server, 'Production Connections');
    const secrets = { stripe: { publishableKey: 'pk_live_51GuardPublishable0000', secretKey: 'sk_live_51GuardNeverSent00000000' } };
    for (const host of refusedHosts) {
      const input = { name: `Stripe ${host}`, providerType: 'STRIPE' as const, secrets, settings: { endpoint: `https://${host}/` } };
      const response = await server.request(CreateConnectionDocument, { input }, withKey(owner.apiKey));
      expect(response.data?.createConnection, host).toMatchObject({ code: 'VALIDATION', fields: ['input.settings.endpoint'] });
    }
    expect(await server.prisma.connection.count()).toBe(0);
  });
});
