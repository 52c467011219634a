// A connection's credentials checked against its provider: each provider through its SDK against a
// stand-in that answers as its API reference documents (S3: a real S3-compatible server), with the
// health and its event recorded, never a secret in either, and no check longer than 5 s.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectionDocument,
  CreateConnectionDocument,
  EventsDocument,
  UpdateConnectionDocument,
  VerifyConnectionDocument,
  type CreateConnectionInput,
  type ProviderType,
} from '../generated/graphql.ts';
import { providers } from '../../src/connections/providers/registry.ts';
import { readConnectionSecrets } from '../../src/connections/service.ts';
import { checkedSettings } from '../../src/connections/settings.ts';
import { loadConfig } from '../../src/config.ts';
import { addressPolicyOf } from '../../src/net/address-guard.ts';
import { actingFor, givenActiveAccount, givenConnectPlatform } from '../support/givens/connect.ts';
import { givenOrganization, type OrganizationFixture } from '../support/givens/organizations.ts';
import { startTestServer, TEST_ENCRYPTION_KEYS, withKey, type TestServer } from '../support/server.ts';
import { startFlexprice, startHubspot, startS3, startSilent, startStripe, type S3StandIn, type StandIn } from './stand-ins/providers.ts';
import { unique } from '../support/unique.ts';

const STRIPE_KEY = 'sk_test_51HealthyKeyAbcdefgh4242';
const STRIPE_BAD_KEY = 'sk_test_51RevokedKeyZyxwvuts9999';
const HUBSPOT_TOKEN = 'CNye4dqFMBICAAEYhOKlDZZ_z6IVKI_healthy';
const HUBSPOT_BAD_TOKEN = 'CNye4dqFMBICAAEYhOKlDZZ_z6IVKI_expired';
const FLEXPRICE_KEY = 'sk_01JHFLEXPRICEHEALTHY0001';
const FLEXPRICE_BAD_KEY = 'sk_01JHFLEXPRICEREVOKED0002';
const S3_KEY = ['AKIACONNECTTEST00001', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYCONNECT01'] as const;
const S3_UNKNOWN_KEY = ['AKIACONNECTUNKNOWN01', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYUNKNOWN1'] as const;
const ALL_SECRETS = [
  STRIPE_KEY,
  STRIPE_BAD_KEY,
  HUBSPOT_TOKEN,
  HUBSPOT_BAD_TOKEN,
  FLEXPRICE_KEY,
  FLEXPRICE_BAD_KEY,
  ...S3_KEY,
  ...S3_UNKNOWN_KEY,
];

let server: TestServer;
let owner: OrganizationFixture;
let stripe: StandIn;
let hubspot: StandIn;
let flexprice: StandIn;
/** This file's CONNECTION_VERIFY_TIMEOUT_MS, in seconds. */
const DEADLINE_SECONDS = 2;
let silent: StandIn;
let s3: S3StandIn;

beforeAll(async () => {
  // Checks against the silent stand-in give up after 2 s instead of 5 (CONNECTION_VERIFY_TIMEOUT_MS).
  server = await startTestServer({ environment: { CONNECTION_VERIFY_TIMEOUT_MS: String(DEADLINE_SECONDS * 1000) } });
  [stripe, hubspot, flexprice, silent, s3] = await Promise.all([
    startStripe([STRIPE_KEY]),
    startHubspot([HUBSPOT_TOKEN]),
    startFlexprice([FLEXPRICE_KEY]),
    startSilent(),
    startS3(['invoices'], [[S3_KEY[0], S3_KEY[1]]]),
  ]);
  owner = await givenOrganization(server, 'Verifier');
});
afterAll(async () => {
  await Promise.all([stripe?.close(), hubspot?.close(), flexprice?.close(), silent?.close(), s3?.close()]);
  await server?.close();
});

/** A loopback HTTP server answering with `handle`. */
async function startHttp(handle: (request: IncomingMessage, response: ServerResponse) => void) {
  const http = createServer(handle);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: () => {
      http.closeAllConnections();
      return new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

const uniqueName = (base: string) => `${base} ${unique()}`;

const stripeAt = (endpoint: string, secretKey = STRIPE_KEY): CreateConnectionInput => ({
  name: uniqueName('Stripe'),
  providerType: 'STRIPE',
  secrets: { stripe: { publishableKey: 'pk_test_51Publishable0000', secretKey, webhookSecret: 'whsec_first0000000000001111' } },
  settings: { endpoint },
});
const hubspotAt = (endpoint: string, accessToken = HUBSPOT_TOKEN): CreateConnectionInput => ({
  name: uniqueName('HubSpot'),
  providerType: 'HUBSPOT',
  secrets: { hubspot: { accessToken } },
  settings: { endpoint },
});
const flexpriceAt = (endpoint: string, apiKey = FLEXPRICE_KEY): CreateConnectionInput => ({
  name: uniqueName('Flexprice'),
  providerType: 'FLEXPRICE',
  secrets: { generic: { data: { apiKey } } },
  settings: { endpoint: `${endpoint}/v1` },
});
const s3At = (
  endpoint: string,
  [awsAccessKeyId, awsSecretAccessKey]: readonly [string, string] = S3_KEY,
  bucket: string | null = 'invoices',
): CreateConnectionInput => ({
  name: uniqueName('Bucket'),
  providerType: 'S3',
  secrets: { s3: { awsAccessKeyId, awsSecretAccessKey } },
  settings: { endpoint, region: 'eu-west-3', forcePathStyle: true, ...(bucket ? { bucket } : {}) },
});

async function create(input: CreateConnectionInput, headers = withKey(owner.apiKey)) {
  const response = await server.request(CreateConnectionDocument, { input }, headers);
  const result = response.data?.createConnection;
  if (result?.__typename !== 'CreateConnectionPayload') return expect.fail(JSON.stringify(response));
  return result.connection;
}

async function verify(id: string, headers = withKey(owner.apiKey)) {
  const response = await server.request(VerifyConnectionDocument, { input: { id } }, headers);
  const result = response.data?.verifyConnection;
  if (result?.__typename !== 'VerifyConnectionPayload') return expect.fail(JSON.stringify(response));
  expect(JSON.stringify(response)).not.toMatch(new RegExp(ALL_SECRETS.map((secret) => secret.replace(/[/+]/g, '\\$&')).join('|')));
  return result.connection;
}

/** The connection's events, newest first, but connection.health_changed (connection-links.test.ts tests it): each check's own. */
async function eventsAbout(id: string, headers = withKey(owner.apiKey)) {
  const response = await server.request(EventsDocument, { filter: { objectId: id } }, headers);
  const events = response.data?.events.nodes ?? expect.fail(JSON.stringify(response));
  return events.filter((event) => event.type !== 'connection.health_changed');
}

describe('verifyConnection', () => {
  it('finds each provider HEALTHY with good credentials, through its SDK, and records connection.verification_succeeded', async () => {
    // Every provider in the registry: a new one fails here (and does not type-check) until it has a stand-in.
    const inputs: Record<ProviderType, CreateConnectionInput> = {
      STRIPE: stripeAt(stripe.url),
      HUBSPOT: hubspotAt(hubspot.url),
      FLEXPRICE: flexpriceAt(flexprice.url),
      S3: s3At(s3.endpoint),
    };
    expect(Object.keys(inputs).sort()).toEqual(Object.keys(providers).sort());
    for (const input of Object.values(inputs)) {
      const connection = await create(input);
      expect(connection.health).toEqual({ status: 'UNKNOWN', lastVerifiedAt: null, lastError: null });
      const verified = await verify(connection.id);
      expect(verified.health, input.providerType).toMatchObject({ status: 'HEALTHY', lastError: null });
      expect(verified.health.lastVerifiedAt).not.toBeNull();
      const [event] = await eventsAbout(connection.id);
      expect(event).toMatchObject({ type: 'connection.verification_succeeded', actor: { type: 'API_KEY', id: owner.apiKeyId } });
      expect(event?.data).toMatchObject({
        object: { health: { status: 'HEALTHY', lastError: null } },
        previous: { health: { status: 'UNKNOWN' } },
      });
    }
    // Each SDK sent the stored credential where its API expects it.
    expect(stripe.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: '/v1/account',
      headers: { authorization: `Bearer ${STRIPE_KEY}` },
    });
    expect(hubspot.requests.at(-1)).toMatchObject({ method: 'GET', path: `/oauth/v1/access-tokens/${HUBSPOT_TOKEN}` });
    expect(flexprice.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: '/v1/customers?limit=1',
      headers: { 'x-api-key': FLEXPRICE_KEY },
    });
  });

  it('says NEEDS_REAUTH when the provider refuses the credentials, in words that quote no secret and no provider message', async () => {
    const inputs: Record<ProviderType, CreateConnectionInput> = {
      STRIPE: stripeAt(stripe.url, STRIPE_BAD_KEY),
      HUBSPOT: hubspotAt(hubspot.url, HUBSPOT_BAD_TOKEN),
      FLEXPRICE: flexpriceAt(flexprice.url, FLEXPRICE_BAD_KEY),
      S3: s3At(s3.endpoint, S3_UNKNOWN_KEY),
    };
    const errors: Record<string, string | null | undefined> = {};
    for (const input of Object.values(inputs)) {
      const connection = await create(input);
      const verified = await verify(connection.id);
      expect(verified.health.status, input.providerType).toBe('NEEDS_REAUTH');
      errors[input.providerType] = verified.health.lastError;
      const [event] = await eventsAbout(connection.id);
      expect(event).toMatchObject({ type: 'connection.verification_failed', data: { object: { health: { status: 'NEEDS_REAUTH' } } } });
      for (const secret of ALL_SECRETS) expect(JSON.stringify(event)).not.toContain(secret);
    }
    expect(errors).toEqual({
      STRIPE: 'Stripe answered HTTP 401 (invalid_request_error)',
      HUBSPOT: 'HubSpot answered HTTP 401 (EXPIRED_AUTHENTICATION)',
      FLEXPRICE: 'Flexprice answered HTTP 401',
      S3: expect.stringMatching(/^S3 answered HTTP 403/),
    });
    // Stripe's message quotes the key's last four characters: none of its words reach the API.
    expect(JSON.stringify(errors)).not.toMatch(/Invalid API Key|9999|expired 2 day|valid or well-formatted/);
    expect(server.logs()).not.toContain(STRIPE_BAD_KEY.slice(8));
  });

  it('checks the account without a bucket; says FAILING for an unknown bucket and a provider that is down', async () => {
    const noBucket = await verify((await create(s3At(s3.endpoint, S3_KEY, null))).id);
    expect(noBucket.health).toMatchObject({ status: 'HEALTHY', lastError: null });
    const noBucketBadKey = await verify(
      (await create(s3At(s3.endpoint, ['AKIAWRONGWRONGWRONG0', 'wrong-secret-wrong-secret-wrong-secret00'], null))).id,
    );
    expect(noBucketBadKey.health.status).toBe('NEEDS_REAUTH');
    const unknownBucket = await verify(
      (await create({ ...s3At(s3.endpoint), settings: { endpoint: s3.endpoint, forcePathStyle: true, bucket: 'no-such-bucket' } })).id,
    );
    expect(unknownBucket.health).toMatchObject({ status: 'FAILING', lastError: expect.stringMatching(/^S3 answered HTTP 404/) });

    const down = await startStripe([STRIPE_KEY]);
    const connection = await create(stripeAt(down.url));
    await down.close();
    expect((await verify(connection.id)).health).toMatchObject({
      status: 'FAILING',
      lastError: 'Stripe could not be reached: ECONNREFUSED',
    });
  });

  it('gives up on a provider that never answers at the deadline (CONNECTION_VERIFY_TIMEOUT_MS), whatever the SDK', async () => {
    const connections = await Promise.all(
      [stripeAt(silent.url), hubspotAt(silent.url), flexpriceAt(silent.url), s3At(silent.url)].map((input) => create(input)),
    );
    const started = performance.now();
    const results = await Promise.all(
      connections.map(async ({ id }) => {
        const connection = await verify(id);
        return { connection, seconds: (performance.now() - started) / 1000 };
      }),
    );
    for (const { connection, seconds } of results) {
      expect(connection.health.status, connection.providerType).toBe('FAILING');
      expect(connection.health.lastError).toMatch(/did not answer within 2 s$/);
      expect(seconds).toBeGreaterThanOrEqual(1.9);
      expect(seconds).toBeLessThan(4);
    }
  }, 20_000);

  it('never follows a redirect: a 3xx is FAILING, and the place it points to is not asked', async () => {
    // Each redirects to the good stand-in, which would say HEALTHY if the check followed.
    const redirecting = await startHttp((request, response) => response.writeHead(302, { location: `${hubspot.url}${request.url}` }).end());
    try {
      const before = hubspot.requests.length;
      const checked = await verify((await create(hubspotAt(redirecting.url))).id);
      expect(checked.health).toMatchObject({
        status: 'FAILING',
        lastError: 'HubSpot answered with a redirect, which a check never follows',
      });
      expect((await verify((await create(stripeAt(redirecting.url))).id)).health).toMatchObject({ status: 'FAILING' });
      expect(hubspot.requests.length).toBe(before);
    } finally {
      await redirecting.close();
    }
  });

  it('quotes no provider code that repeats 8 characters of a secret, even in the shape the provider documents', async () => {
    const token = 'ECHOED_SECRET_TOKEN_VALUE';
    const echo = await startHttp((_request, response) =>
      response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'error', category: token.slice(1) })),
    );
    try {
      const checked = await verify((await create(hubspotAt(echo.url, token))).id);
      expect(checked.health).toMatchObject({ status: 'NEEDS_REAUTH', lastError: 'HubSpot answered HTTP 401' });
    } finally {
      await echo.close();
    }
  });

  it('stops reading an answer past 1 MiB: FAILING, too large', async () => {
    const flood = await startHttp((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(Buffer.alloc(2 << 20, ' '));
    });
    try {
      for (const input of [hubspotAt(flood.url), flexpriceAt(flood.url)]) {
        const checked = await verify((await create(input)).id);
        expect(checked.health.lastError, input.providerType).toMatch(/answer was too large \(over 1048576 bytes\)$/);
      }
    } finally {
      await flood.close();
    }
  });

  it('runs one check per connection and 4 per tenant at once; beyond, RATE_LIMITED with Retry-After', async () => {
    const tenant = await givenOrganization(server, 'Busy verifier');
    const ids = await Promise.all(Array.from({ length: 5 }, async () => (await create(stripeAt(silent.url), withKey(tenant.apiKey))).id));
    const ask = (id: string, key = tenant.apiKey) => server.request(VerifyConnectionDocument, { input: { id } }, withKey(key));
    const running = ids.slice(0, 4).map((id) => ask(id));
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const id of [ids[0] ?? '', ids[4] ?? '']) {
      const refused = await ask(id);
      // Retry once a running check is surely over: its deadline.
      expect(refused).toMatchObject({ status: 429, errors: [{ extensions: { code: 'RATE_LIMITED', retryAfter: DEADLINE_SECONDS } }] });
      expect(refused.headers.get('retry-after')).toBe(String(DEADLINE_SECONDS));
    }
    // Another tenant is not held up by this one.
    const elsewhere = await create(stripeAt(stripe.url));
    expect((await verify(elsewhere.id)).health.status).toBe('HEALTHY');
    for (const answer of await Promise.all(running))
      expect(answer.data?.verifyConnection).toMatchObject({ connection: { health: { status: 'FAILING' } } });
    expect((await ask(ids[4] ?? '')).data?.verifyConnection).toMatchObject({ connection: { health: { status: 'FAILING' } } });
  }, 20_000);

  it('is NOT_FOUND for another tenant’s connection, and INVALID_STATE for a deleted one', async () => {
    const connection = await create(stripeAt(stripe.url));
    const stranger = await givenOrganization(server, 'Stranger verifier');
    const response = await server.request(VerifyConnectionDocument, { input: { id: connection.id } }, withKey(stranger.apiKey));
    expect(response.data?.verifyConnection).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    expect(stripe.requests.filter(({ headers }) => headers.authorization === `Bearer ${STRIPE_KEY}`).length).toBeGreaterThan(0);
    const before = stripe.requests.length;
    await server.prisma.connection.update({ where: { id: connection.id }, data: { status: 'DELETED', encryptedSecrets: null } });
    const deleted = await server.request(VerifyConnectionDocument, { input: { id: connection.id } }, withKey(owner.apiKey));
    expect(deleted.data?.verifyConnection).toMatchObject({ code: 'INVALID_STATE' });
    expect(stripe.requests.length).toBe(before);
  });

  it('works while acting for a connected account, in its tenant, where its platform sees the event', async () => {
    const platform = await givenConnectPlatform(server, 'Verifying platform');
    const account = await givenActiveAccount(server, platform);
    const headers = actingFor(platform, account.accountId);
    const connection = await create(stripeAt(stripe.url), headers);
    expect(connection.tenantId).toBe(account.tenantId);
    expect((await verify(connection.id, headers)).health.status).toBe('HEALTHY');
    const [event] = await eventsAbout(connection.id, withKey(platform.apiKey));
    expect(event).toMatchObject({ type: 'connection.verification_succeeded', connectedAccountId: account.accountId });
    // The platform's own tenant holds no such connection.
    const own = await server.request(VerifyConnectionDocument, { input: { id: connection.id } }, withKey(platform.apiKey));
    expect(own.data?.verifyConnection).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('updateConnection with secrets', () => {
  it('replaces only the secret fields given; the kept ones still decrypt the same and still verify', async () => {
    const connection = await create(stripeAt(stripe.url));
    const response = await server.request(
      UpdateConnectionDocument,
      { input: { id: connection.id, secrets: { stripe: { webhookSecret: 'whsec_second000000000002222' } } } },
      withKey(owner.apiKey),
    );
    expect(response.data?.updateConnection).toMatchObject({
      connection: { secretHints: { ...connection.secretHints, webhookSecret: 'whsec_…2222' } },
    });
    expect(await readConnectionSecrets(server.prisma, server.keyRing, connection.id)).toEqual({
      publishableKey: 'pk_test_51Publishable0000',
      secretKey: STRIPE_KEY,
      webhookSecret: 'whsec_second000000000002222',
    });
    expect((await verify(connection.id)).health.status).toBe('HEALTHY');
    const [event] = await eventsAbout(connection.id);
    expect(event?.type).toBe('connection.verification_succeeded');

    // Another member than the provider's, or a malformed field: refused, nothing changed.
    for (const secrets of [{ s3: { awsAccessKeyId: 'AKIAIOSFODNN7EXAMPLE' } }, { stripe: { secretKey: 'not-a-key' } }]) {
      const refused = await server.request(UpdateConnectionDocument, { input: { id: connection.id, secrets } }, withKey(owner.apiKey));
      expect(refused.data?.updateConnection).toMatchObject({ code: 'VALIDATION' });
    }
    expect(await readConnectionSecrets(server.prisma, server.keyRing, connection.id)).toMatchObject({ secretKey: STRIPE_KEY });
  });

  it('takes every secret again to move the endpoint: none is kept for, or sent to, the new host', async () => {
    const connection = await create(stripeAt(stripe.url));
    const elsewhere = await startStripe([STRIPE_KEY]);
    try {
      const move = (endpoint: string | null, secrets?: CreateConnectionInput['secrets']) =>
        server.request(
          UpdateConnectionDocument,
          { input: { id: connection.id, settings: { endpoint }, ...(secrets ? { secrets } : {}) } },
          withKey(owner.apiKey),
        );
      const refusals = [
        [await move(elsewhere.url), ['input.secrets']],
        // Back to the provider's own endpoint is a move too.
        [await move(null), ['input.secrets']],
        // Some fields given: the others are not taken from storage.
        [await move(elsewhere.url, { stripe: { publishableKey: 'pk_test_51Publishable0000' } }), ['input.secrets.stripe.secretKey']],
      ] as const;
      for (const [refused, fields] of refusals) {
        expect(refused.data?.updateConnection).toMatchObject({
          code: 'VALIDATION',
          fields,
          message: expect.stringMatching(/^settings\.endpoint changes: the stored secrets are never sent to a new endpoint/),
        });
      }
      await verify(connection.id);
      expect(elsewhere.requests).toHaveLength(0);
      // The endpoint it has already is no move; with every secret, the move is made and only those secrets stay.
      expect((await move(stripe.url)).data?.updateConnection).toMatchObject({ __typename: 'UpdateConnectionPayload' });
      const moved = await move(elsewhere.url, { stripe: { publishableKey: 'pk_test_51Publishable0000', secretKey: STRIPE_KEY } });
      expect(moved.data?.updateConnection).toMatchObject({ connection: { settings: { endpoint: `${elsewhere.url}/` } } });
      expect(await readConnectionSecrets(server.prisma, server.keyRing, connection.id)).toEqual({
        publishableKey: 'pk_test_51Publishable0000',
        secretKey: STRIPE_KEY,
      });
      expect((await verify(connection.id)).health.status).toBe('HEALTHY');
      expect(elsewhere.requests).toHaveLength(1);
    } finally {
      await elsewhere.close();
    }
  });

  it('merges generic data field by field, and settings likewise', async () => {
    const connection = await create(flexpriceAt(flexprice.url, FLEXPRICE_BAD_KEY));
    expect((await verify(connection.id)).health.status).toBe('NEEDS_REAUTH');
    const fixed = await server.request(
      UpdateConnectionDocument,
      { input: { id: connection.id, secrets: { generic: { data: { apiKey: FLEXPRICE_KEY } } }, settings: { invoiceSyncEnable: true } } },
      withKey(owner.apiKey),
    );
    expect(fixed.data?.updateConnection).toMatchObject({
      connection: { settings: { invoiceSyncEnable: true, endpoint: `${flexprice.url}/v1` } },
    });
    await server.request(
      UpdateConnectionDocument,
      { input: { id: connection.id, secrets: { generic: { data: { region: 'us' } } } } },
      withKey(owner.apiKey),
    );
    expect(await readConnectionSecrets(server.prisma, server.keyRing, connection.id)).toEqual({ apiKey: FLEXPRICE_KEY, region: 'us' });
    expect((await verify(connection.id)).health).toMatchObject({ status: 'HEALTHY', lastError: null });
  });
});

describe('connection settings', () => {
  it('refuse S3-only settings on another provider and malformed ones, naming the field', async () => {
    for (const [input, field] of [
      [{ ...stripeAt(stripe.url), settings: { bucket: 'invoices' } }, 'input.settings.bucket'],
      [{ ...s3At(s3.endpoint), settings: { bucket: 'Not_A_Bucket' } }, 'input.settings.bucket'],
      [{ ...s3At(s3.endpoint), settings: { region: 'EU WEST' } }, 'input.settings.region'],
      [{ ...stripeAt('ftp://127.0.0.1/') }, 'input.settings.endpoint'],
      [{ ...stripeAt('http://stripe.example.com') }, 'input.settings.endpoint'],
    ] as const) {
      const response = await server.request(CreateConnectionDocument, { input }, withKey(owner.apiKey));
      expect(response.data?.createConnection, field).toMatchObject({ code: 'VALIDATION', fields: [field] });
    }
  });

  it('in production, refuse an endpoint inside the server’s network when saved, and again when the check connects', async () => {
    const production = await startTestServer({
      environment: { NODE_ENV: 'production', DATABASE_URL: 'postgresql://unused.invalid/db', ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS },
    });
    try {
      const tenant = await givenOrganization(production, 'Production verifier');
      for (const endpoint of [
        'https://127.0.0.1:8443',
        'https://169.254.169.254/',
        'https://[::ffff:10.0.0.1]/',
        'http://api.stripe.com',
      ]) {
        const response = await production.request(CreateConnectionDocument, { input: stripeAt(endpoint) }, withKey(tenant.apiKey));
        expect(response.data?.createConnection, endpoint).toMatchObject({ code: 'VALIDATION', fields: ['input.settings.endpoint'] });
      }
      // Saved before the rule, or through a name that resolved elsewhere then: refused at connect time.
      const created = await production.request(
        CreateConnectionDocument,
        { input: { ...stripeAt(stripe.url), settings: {} } },
        withKey(tenant.apiKey),
      );
      if (created.data?.createConnection.__typename !== 'CreateConnectionPayload') return expect.fail(JSON.stringify(created));
      const { id } = created.data.createConnection.connection;
      await production.prisma.connection.update({
        where: { id },
        data: { settings: { invoiceSyncEnable: false, endpoint: 'https://127.0.0.1:9/' } },
      });
      const verified = await production.request(VerifyConnectionDocument, { input: { id } }, withKey(tenant.apiKey));
      expect(verified.data?.verifyConnection).toMatchObject({
        connection: {
          health: { status: 'FAILING', lastError: 'refused: the endpoint is a private, loopback, link-local or metadata address' },
        },
      });
    } finally {
      await production.close();
    }
  });

  it('in production, accept a private endpoint with ALLOW_PRIVATE_NETWORKS, or its former name WEBHOOK_ALLOW_PRIVATE_NETWORKS', async () => {
    const production = { NODE_ENV: 'production', DATABASE_URL: 'postgresql://db.example/connect', ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS };
    const allows = (environment: Record<string, string>) => loadConfig({ ...production, ...environment }).allowPrivateNetworks;
    expect(allows({})).toBe(false);
    expect(allows({ ALLOW_PRIVATE_NETWORKS: 'true' })).toBe(true);
    expect(allows({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' })).toBe(true);
    expect(allows({ ALLOW_PRIVATE_NETWORKS: 'false', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' })).toBe(false);
    const endpoint = new URL('https://10.0.0.7:9000/');
    const policy = (environment: Record<string, string>) => addressPolicyOf(loadConfig({ ...production, ...environment }));
    await expect(checkedSettings('S3', { endpoint }, undefined, policy({}))).rejects.toMatchObject({ fields: ['input.settings.endpoint'] });
    await expect(checkedSettings('S3', { endpoint }, undefined, policy({ ALLOW_PRIVATE_NETWORKS: 'true' }))).resolves.toMatchObject({
      endpoint: endpoint.href,
    });
  });

  it('show the endpoint and S3 settings, and a null puts one back to its default', async () => {
    const connection = await create(s3At(s3.endpoint));
    expect(connection.settings).toEqual({
      invoiceSyncEnable: false,
      endpoint: `${s3.endpoint}/`,
      bucket: 'invoices',
      region: 'eu-west-3',
      forcePathStyle: true,
    });
    const reset = await server.request(
      UpdateConnectionDocument,
      { input: { id: connection.id, settings: { region: null } } },
      withKey(owner.apiKey),
    );
    expect(reset.data?.updateConnection).toMatchObject({ connection: { settings: { region: null, bucket: 'invoices' } } });
    const read = await server.request(ConnectionDocument, { id: connection.id }, withKey(owner.apiKey));
    expect(read.data?.connection?.settings.region).toBeNull();
  });
});
