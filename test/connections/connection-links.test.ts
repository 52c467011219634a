// Connection links, as a platform and the member who fills the page in meet them: the platform makes
// a link while acting for an account, the account's member signs in on the hosted page and types an S3
// key that a real S3-compatible store checks; a refused key saves nothing; the link is single use and
// dead links go to the refreshUrl; a reconnect link replaces a failing connection's secrets; every
// check that moves a connection's health records connection.health_changed; the platform never
// receives a secret.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import {
  ConnectionHealthDocument,
  CreateConnectionLinkDocument,
  UpdatePlatformBrandingDocument,
  type CreateConnectionLinkInput,
} from '../generated/graphql.ts';
import type { S3StandIn } from './stand-ins/providers.ts';
import { platformWorld } from '../support/world.ts';
import { postForm, sessionCookie, signInToUpdatePage } from '../support/givens/account-updates.ts';
import {
  givenConnectionLink,
  givenS3Store,
  LINK_REFRESH_URL,
  LINK_RETURN_URL,
  S3_BUCKET,
  S3_KEY,
  s3Form,
} from '../support/givens/connection-links.ts';
import { givenOwnedOrganization, OWNER_PASSWORD } from '../support/givens/oauth.ts';
import { CREATE_CONNECTION, VERIFY } from '../support/givens/connections.ts';
import { outcome, untypedRequest } from '../support/untyped-graphql.ts';
import { withKey } from '../support/server.ts';

const { test, world } = platformWorld({}, async (seed) => ({ platform: await seed.connectPlatform('Link Platform') }));

let store: S3StandIn;
beforeAll(async () => {
  store = await givenS3Store();
});
afterAll(() => store?.close());

/** An ACTIVE EXPRESS account's member, and the headers the platform acts for the account with. */
async function givenMember() {
  const user = await world.platform.onboardedUser();
  return { ...user, acting: world.platform.actingFor(user.accountId) };
}

const eventsOf = (objectId: string) => world.server.prisma.event.findMany({ where: { objectId }, orderBy: { sequence: 'asc' } });

/** Everything the platform could have received about the tenant: events (its webhooks' payloads) and the API's answer. */
async function whatThePlatformSees(tenantId: string, connectionId: string, acting: Record<string, string>) {
  const events = await world.server.prisma.event.findMany({ where: { tenantId } });
  const deliveries = await world.server.prisma.webhookDelivery.findMany({ where: { tenantId } });
  const answer = await world.server.request(ConnectionHealthDocument, { id: connectionId }, acting);
  return JSON.stringify({ events, deliveries, answer }, (_key, value) => (typeof value === 'bigint' ? String(value) : value));
}

const createLink = (headers: Record<string, string>, input: Partial<CreateConnectionLinkInput>) =>
  world.server.request(
    CreateConnectionLinkDocument,
    { input: { providerType: 'S3', returnUrl: LINK_RETURN_URL, refreshUrl: LINK_REFRESH_URL, ...input } },
    headers,
  );

describe('a connection link made while acting for an account', () => {
  test('signs the member in, refuses a key the store does not know, then saves a good one and returns with the connection id', async () => {
    const member = await givenMember();
    const link = await givenConnectionLink(world.server, member.acting, { name: 'Invoice archive' });
    const lifetime = new Date(link.expiresAt).getTime() - world.server.clock.now().getTime();
    expect(lifetime).toBeGreaterThan(15 * 60 * 1000 - 5000);
    expect(lifetime).toBeLessThanOrEqual(15 * 60 * 1000);

    const signIn = await world.server.fetch(link.path);
    expect(signIn.status).toBe(200);
    expect(await signIn.text()).toContain('asks you to connect your S3 account as <strong>Invoice archive</strong>');
    const cookie = await signInToUpdatePage(world.server, link.path, member);
    const form = await (await world.server.fetch(link.path, { headers: { cookie } })).text();
    expect(form).toContain('Access key ID');
    expect(form).toMatch(/type="password" id="awsSecretAccessKey" name="awsSecretAccessKey"\s+required/);
    expect(form).toContain(`Signed in as <strong>${member.email}</strong>`);

    const refused = await postForm(
      world.server,
      `${link.path}/save`,
      s3Form(store.endpoint, { awsAccessKeyId: 'AKIAUNKNOWNKEY000001' }),
      cookie,
    );
    expect(refused.status).toBe(422);
    const refusal = await refused.text();
    expect(refusal).toContain('S3 did not accept these credentials: S3 answered HTTP 403');
    expect(refusal).not.toContain(S3_KEY.secret);
    expect(await world.server.prisma.connection.count({ where: { tenantId: member.tenantId } })).toBe(0);

    const saved = await postForm(world.server, `${link.path}/save`, s3Form(store.endpoint), cookie);
    expect(saved.status).toBe(303);
    const destination = new URL(saved.headers.get('location') ?? '');
    expect(`${destination.origin}${destination.pathname}`).toBe('https://platform.example/integrations/done');
    expect(destination.searchParams.get('from')).toBe('link');
    const connectionId = destination.searchParams.get('connection_id') ?? expect.fail('no connection_id');

    const connection = await world.server.request(ConnectionHealthDocument, { id: connectionId }, member.acting);
    const userId = (await world.server.prisma.user.findUniqueOrThrow({ where: { email: member.email } })).id;
    expect(connection.data?.connection).toMatchObject({
      name: 'Invoice archive',
      status: 'PUBLISHED',
      health: { status: 'HEALTHY', lastError: null },
      settings: { endpoint: `${store.endpoint}/`, bucket: S3_BUCKET },
      createdBy: userId,
    });
    const created = (await eventsOf(connectionId)).find((event) => event.type === 'connection.created');
    expect(created).toMatchObject({ actorType: 'USER', actorId: userId, connectedAccountId: member.accountId });
    expect(await whatThePlatformSees(member.tenantId, connectionId, member.acting)).not.toContain(S3_KEY.secret);

    // Spent: the page sends the browser to the platform for a new link.
    const again = await world.server.fetch(link.path, { headers: { cookie } });
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe(LINK_REFRESH_URL);
  });

  test('sends an expired or unknown link to where it should go, and never lets another organization’s user in', async () => {
    const member = await givenMember();
    const stranger = await givenMember();
    const link = await givenConnectionLink(world.server, member.acting, { name: 'Expiring' });

    const refused = await postForm(world.server, `${link.path}/sign-in`, { email: stranger.email, password: stranger.password });
    expect(refused.status).toBe(401);
    expect(sessionCookie(refused)).toBe('');

    world.server.clock.advance(15 * 60 * 1000 + 1000);
    const expired = await world.server.fetch(link.path);
    expect(expired.status).toBe(303);
    expect(expired.headers.get('location')).toBe(LINK_REFRESH_URL);

    const unknown = await world.server.fetch(`/connection-link/${'x'.repeat(44)}`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('This link is not valid');
  });

  test('a reconnect link replaces the secrets of a FAILING connection and records the health change', async () => {
    const member = await givenMember();
    // Keys the store knows, a bucket it does not have: the check fails (404), and the health is FAILING.
    const input = {
      name: `Archive ${Date.now()}`,
      providerType: 'S3',
      secrets: { s3: { awsAccessKeyId: 'AKIAOLDKEY0000000001', awsSecretAccessKey: 'old/secret/0000000000000000000000000000001' } },
      settings: { endpoint: store.endpoint, bucket: 'gone-bucket', forcePathStyle: true },
    };
    const created = await untypedRequest(world.server, CREATE_CONNECTION, { input }, member.acting);
    expect(outcome(created, 'createConnection')).toBe('CreateConnectionPayload');
    const connectionId = created.data!.createConnection.connection.id as string;
    const verified = await untypedRequest(world.server, VERIFY, { id: connectionId }, member.acting);
    expect(verified.data!.verifyConnection.connection.health.status).not.toBe('HEALTHY');

    const link = await givenConnectionLink(world.server, member.acting, { connectionId });
    const cookie = await signInToUpdatePage(world.server, link.path, member);
    const form = await (await world.server.fetch(link.path, { headers: { cookie } })).text();
    expect(form).toContain('value="gone-bucket"');
    expect(form).not.toContain('old/secret');

    const saved = await postForm(world.server, `${link.path}/save`, s3Form(store.endpoint), cookie);
    expect(saved.status, await saved.clone().text()).toBe(303);
    expect(new URL(saved.headers.get('location') ?? '').searchParams.get('connection_id')).toBe(connectionId);
    const row = await world.server.prisma.connection.findUniqueOrThrow({ where: { id: connectionId } });
    expect(row).toMatchObject({ healthStatus: 'HEALTHY', name: input.name, secretHints: { awsAccessKeyId: '…0001' } });
    expect((row.settings as { bucket: string }).bucket).toBe(S3_BUCKET);

    const changes = (await eventsOf(connectionId)).filter((event) => event.type === 'connection.health_changed');
    expect(changes.map((event) => event.data)).toEqual([
      { object: expect.objectContaining({ id: connectionId }), previous: { health: expect.objectContaining({ status: 'UNKNOWN' }) } },
      {
        object: expect.objectContaining({ health: expect.objectContaining({ status: 'HEALTHY' }) }),
        previous: { health: expect.objectContaining({ status: verified.data!.verifyConnection.connection.health.status }) },
      },
    ]);
    expect(await whatThePlatformSees(member.tenantId, connectionId, member.acting)).not.toContain(S3_KEY.secret);
  });
});

describe('connection.health_changed', () => {
  test('is recorded when a check moves the health, and not when it leaves it as it was', async () => {
    const member = await givenMember();
    const input = {
      name: `Checked ${Date.now()}`,
      providerType: 'S3',
      secrets: { s3: { awsAccessKeyId: S3_KEY.id, awsSecretAccessKey: S3_KEY.secret } },
      settings: { endpoint: store.endpoint, bucket: S3_BUCKET, forcePathStyle: true },
    };
    const created = await untypedRequest(world.server, CREATE_CONNECTION, { input }, member.acting);
    const connectionId = created.data!.createConnection.connection.id as string;
    for (let check = 0; check < 2; check += 1) await untypedRequest(world.server, VERIFY, { id: connectionId }, member.acting);
    const changes = (await eventsOf(connectionId)).filter((event) => event.type === 'connection.health_changed');
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      connectedAccountId: member.accountId,
      data: { object: { health: { status: 'HEALTHY' } }, previous: { health: { status: 'UNKNOWN' } } },
    });
  });
});

describe('a connection link made with a tenant’s own key', () => {
  test('lets a member of its own organization connect, in its own tenant', async () => {
    const owner = await givenOwnedOrganization(world.server);
    const link = await givenConnectionLink(world.server, withKey(owner.apiKey), { name: 'Own archive' });
    const cookie = await signInToUpdatePage(world.server, link.path, { email: owner.email, password: OWNER_PASSWORD });
    const saved = await postForm(world.server, `${link.path}/save`, s3Form(store.endpoint), cookie);
    expect(saved.status).toBe(303);
    const connectionId = new URL(saved.headers.get('location') ?? '').searchParams.get('connection_id') ?? '';
    expect(await world.server.prisma.connection.findUniqueOrThrow({ where: { id: connectionId } })).toMatchObject({
      tenantId: owner.tenantId,
    });
  });
});

describe('createConnectionLink', () => {
  test('refuses what it cannot make a page of', async () => {
    const member = await givenMember();
    const refusals = {
      noName: await createLink(member.acting, {}),
      httpReturn: await createLink(member.acting, { name: 'x', returnUrl: 'http://platform.example/done' }),
      unknownConnection: await createLink(member.acting, { connectionId: 'conn_unknown' }),
    };
    const result = (response: (typeof refusals)['noName']) => response.data?.createConnectionLink;
    expect(result(refusals.noName)).toMatchObject({ __typename: 'ValidationError', fields: ['input.name'] });
    expect(result(refusals.httpReturn)).toMatchObject({ __typename: 'ValidationError', fields: ['input.returnUrl'] });
    expect(result(refusals.unknownConnection)).toMatchObject({ __typename: 'NotFoundError' });

    const link = await givenConnectionLink(world.server, member.acting, { name: 'Taken' });
    const cookie = await signInToUpdatePage(world.server, link.path, member);
    expect((await postForm(world.server, `${link.path}/save`, s3Form(store.endpoint), cookie)).status).toBe(303);
    expect(result(await createLink(member.acting, { name: 'taken' }))).toMatchObject({ __typename: 'ConflictError' });
    const connectionId = (await world.server.prisma.connection.findFirstOrThrow({ where: { tenantId: member.tenantId } })).id;
    expect(result(await createLink(member.acting, { connectionId, providerType: 'STRIPE' }))).toMatchObject({
      __typename: 'ValidationError',
      fields: ['input.providerType'],
    });
  });
});

describe('the page, against an attacker', () => {
  test('refuses a form from another site, keeps the token out of the logs, and is never cached, framed or referred', async () => {
    const member = await givenMember();
    const link = await givenConnectionLink(world.server, member.acting, { name: 'Guarded' });
    const cookie = await signInToUpdatePage(world.server, link.path, member);
    const forged = await world.server.fetch(`${link.path}/save`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: 'https://evil.example' },
      body: new URLSearchParams(s3Form(store.endpoint)).toString(),
    });
    expect(forged.status).toBe(403);

    const page = await world.server.fetch(link.path, { headers: { cookie } });
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('same-origin');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');

    const saved = await postForm(world.server, `${link.path}/save`, s3Form(store.endpoint), cookie);
    expect(saved.headers.get('referrer-policy')).toBe('no-referrer');
    expect(world.server.logs()).not.toContain(link.token);
    expect(world.server.logs()).not.toContain(S3_KEY.secret);
  });

  test('is spent after 10 refused credentials, so it cannot be used to try keys against the provider', async () => {
    const member = await givenMember();
    const link = await givenConnectionLink(world.server, member.acting, { name: 'Guessed' });
    const cookie = await signInToUpdatePage(world.server, link.path, member);
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      const guess = `AKIAGUESS${String(attempt).padStart(11, '0')}`;
      const refused = await postForm(world.server, `${link.path}/save`, s3Form(store.endpoint, { awsAccessKeyId: guess }), cookie);
      expect(refused.status).toBe(422);
    }
    const spent = await postForm(world.server, `${link.path}/save`, s3Form(store.endpoint), cookie);
    expect(spent.status).toBe(303);
    expect(spent.headers.get('location')).toBe(LINK_REFRESH_URL);
    expect(await world.server.prisma.connection.count({ where: { tenantId: member.tenantId } })).toBe(0);
  });

  test('saves once when the form is sent twice at the same moment', async () => {
    const member = await givenMember();
    const link = await givenConnectionLink(world.server, member.acting, { name: 'Twice' });
    const cookie = await signInToUpdatePage(world.server, link.path, member);
    const answers = await Promise.all([1, 2].map(() => postForm(world.server, `${link.path}/save`, s3Form(store.endpoint), cookie)));
    const locations = answers.map((answer) => answer.headers.get('location') ?? '');
    expect(locations.filter((location) => location.startsWith('https://platform.example/integrations/done'))).toHaveLength(1);
    // The other waits for no check: refused while the first one runs (429), or, after it, sent to the refreshUrl.
    const other = answers.find((answer) => !answer.headers.get('location')?.startsWith('https://platform.example/integrations/done'));
    expect(other?.status === 429 || other?.headers.get('location') === LINK_REFRESH_URL).toBe(true);
    expect(await world.server.prisma.connection.count({ where: { tenantId: member.tenantId } })).toBe(1);
  });

  test('never reaches another account’s connection', async () => {
    const member = await givenMember();
    const other = await givenMember();
    const created = await untypedRequest(
      world.server,
      CREATE_CONNECTION,
      {
        input: {
          name: 'Other',
          providerType: 'S3',
          secrets: { s3: { awsAccessKeyId: S3_KEY.id, awsSecretAccessKey: S3_KEY.secret } },
          settings: { endpoint: store.endpoint },
        },
      },
      other.acting,
    );
    const connectionId = created.data!.createConnection.connection.id as string;
    expect((await createLink(member.acting, { connectionId })).data?.createConnectionLink).toMatchObject({ __typename: 'NotFoundError' });
  });

  test('signs out only with the session’s own cookie', async () => {
    const member = await givenMember();
    const link = await givenConnectionLink(world.server, member.acting, { name: 'Signed out' });
    const cookie = await signInToUpdatePage(world.server, link.path, member);
    await postForm(world.server, `${link.path}/sign-out`, {});
    expect(await (await world.server.fetch(link.path, { headers: { cookie } })).text()).toContain('Signed in as');
    const out = await postForm(world.server, `${link.path}/sign-out`, {}, cookie);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    expect(await (await world.server.fetch(link.path, { headers: { cookie } })).text()).toContain('<h1>Sign in</h1>');
  });
});

describe('the platform’s brand', () => {
  test('takes an https logo and a #rrggbb colour, refuses anything else, and shows both on the pages', async () => {
    const update = (input: { logoUrl?: string | null; primaryColor?: string | null }) =>
      world.server.request(UpdatePlatformBrandingDocument, { input }, withKey(world.platform.apiKey));
    expect((await update({ logoUrl: 'http://cdn.example/logo.png' })).data?.updateConnectPlatform).toMatchObject({
      __typename: 'ValidationError',
      fields: ['input.logoUrl'],
    });
    for (const primaryColor of ['red', '#12345', '#1234567', '#12345g', '#fff;}body{']) {
      expect((await update({ primaryColor })).data?.updateConnectPlatform).toMatchObject({
        __typename: 'ValidationError',
        fields: ['input.primaryColor'],
      });
    }
    const saved = await update({ logoUrl: 'https://cdn.example/logo.png', primaryColor: '#0A7D5A' });
    expect(saved.data?.updateConnectPlatform).toMatchObject({
      connectPlatform: { logoUrl: 'https://cdn.example/logo.png', primaryColor: '#0a7d5a' },
    });
    const member = await givenMember();
    const link = await givenConnectionLink(world.server, member.acting, { name: 'Branded' });
    const html = await (await world.server.fetch(link.path)).text();
    expect(html).toContain('--brand:#0a7d5a');
    expect(html).toContain('<img src="https://cdn.example/logo.png"');
    await update({ logoUrl: null, primaryColor: null });
    expect(await (await world.server.fetch(link.path)).text()).not.toContain('<img');
  });
});
