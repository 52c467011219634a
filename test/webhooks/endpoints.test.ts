// Webhook endpoints over GraphQL: the secret shown once and stored encrypted, validation, who
// receives which events (never another tenant's), secret rotation, and redelivery.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeleteWebhookEndpointDocument,
  RedeliverWebhookDocument,
  RotateWebhookEndpointSecretDocument,
  UpdateWebhookEndpointDocument,
  WebhookEndpointDocument,
  WebhookEndpointsDocument,
  CreateWebhookEndpointDocument,
  CreateConnectionDocument,
} from '../generated/graphql.ts';
import { givenOAuthPlatform, givenOwnedOrganization, givenStandardAccount } from '../support/givens/oauth.ts';
import { actingFor, givenActiveAccount, givenConnectPlatform, givenExpressAccount } from '../support/givens/connect.ts';
import { givenOrganization, type OrganizationFixture } from '../support/givens/organizations.ts';
import { startTestServer, TEST_ENCRYPTION_KEYS, withKey, type TestServer } from '../support/server.ts';
import { newKeyEntry, parseKeyRing } from '../../src/crypto/key-ring.ts';
import { pendingWebhookReencryption, reencryptWebhookSecretsBatch } from '../../src/webhooks/reencrypt.ts';
import { signingSecrets } from '../../src/webhooks/signing.ts';
import { deliveriesOf, givenConnection, givenEndpoint } from '../support/givens/webhooks.ts';
import { startReceiver, verify, type Receiver } from './receiver.ts';

let server: TestServer;
let platform: OrganizationFixture;
let receiver: Receiver;

beforeAll(async () => {
  // Rounds run when a test says so (and when an event is committed).
  server = await startTestServer({ environment: { WEBHOOK_POLL_MS: '3600000' } });
  platform = await givenConnectPlatform(server, 'Webhook Platform');
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await server?.close();
});

describe('webhook endpoints', () => {
  it('show the whsec_ secret on creation only and store it encrypted', async () => {
    const { endpoint, secret } = await givenEndpoint(server, withKey(platform.apiKey), {
      url: receiver.url,
      eventTypes: ['connection.created', 'connection.updated', 'connection.created'],
      description: 'Billing sync',
    });
    expect(endpoint).toMatchObject({
      url: receiver.url,
      eventTypes: ['connection.created', 'connection.updated'],
      status: 'ENABLED',
      connect: false,
    });
    expect(endpoint.id).toMatch(/^we_/);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64').length).toBeGreaterThanOrEqual(24);

    const row = await server.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect(JSON.stringify(row)).not.toContain(secret.slice('whsec_'.length, 20));
    expect(row).toMatchObject({ organizationId: platform.organizationId, tenantId: platform.tenantId, actingForAccountId: null });

    const listed = await server.request(WebhookEndpointsDocument, {}, withKey(platform.apiKey));
    expect(listed.data?.webhookEndpoints.nodes.map((node) => node.id)).toContain(endpoint.id);
    const one = await server.request(WebhookEndpointDocument, { id: endpoint.id }, withKey(platform.apiKey));
    expect(one.data?.webhookEndpoint?.description).toBe('Billing sync');
    expect(JSON.stringify([listed, one])).not.toContain(secret);
    expect(server.logs()).not.toContain(secret.slice('whsec_'.length, 20));
  });

  it('refuse unknown event types, other schemes and credentials in the URL, naming the field', async () => {
    const refused = async (input: Parameters<typeof givenEndpoint>[2]) => {
      const response = await server.request(CreateWebhookEndpointDocument, { input }, withKey(platform.apiKey));
      const result = response.data?.createWebhookEndpoint;
      return result?.__typename === 'ValidationError' ? result.fields : expect.fail(JSON.stringify(response));
    };
    expect(await refused({ url: receiver.url, eventTypes: ['connection.created', 'connection.exploded'] })).toEqual([
      'input.eventTypes[1]',
    ]);
    expect(await refused({ url: receiver.url, eventTypes: [] })).toEqual(['input.eventTypes']);
    expect(await refused({ url: receiver.url, eventTypes: ['*', 'connection.created'] })).toEqual(['input.eventTypes']);
    expect(await refused({ url: 'http://receiver.example/hooks', eventTypes: ['*'] })).toEqual(['input.url']);
    expect(await refused({ url: 'ftp://127.0.0.1/hooks', eventTypes: ['*'] })).toEqual(['input.url']);
    expect(await refused({ url: 'https://user:pass@receiver.example/hooks', eventTypes: ['*'] })).toEqual(['input.url']);
  });

  it("refuse connect: true while acting for an account; an endpoint made while acting gets that account's tenant", async () => {
    const account = await givenActiveAccount(server, platform);
    const response = await server.request(
      CreateWebhookEndpointDocument,
      { input: { url: receiver.url, eventTypes: ['*'], connect: true } },
      actingFor(platform, account.accountId),
    );
    const result = response.data?.createWebhookEndpoint;
    expect(result?.__typename === 'ValidationError' && result.fields).toEqual(['input.connect']);

    const { endpoint } = await givenEndpoint(server, actingFor(platform, account.accountId), { url: receiver.url, eventTypes: ['*'] });
    const row = await server.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect(row).toMatchObject({
      tenantId: account.tenantId,
      organizationId: account.organizationId,
      actingForAccountId: account.accountId,
    });
    // The platform's own list does not show it: it belongs to the account's tenant.
    const own = await server.request(WebhookEndpointsDocument, {}, withKey(platform.apiKey));
    expect(own.data?.webhookEndpoints.nodes.map((node) => node.id)).not.toContain(endpoint.id);
  });

  it('disable and enable again (counters reset), and delete; another tenant finds none of them', async () => {
    const { endpoint } = await givenEndpoint(server, withKey(platform.apiKey), { url: receiver.url, eventTypes: ['*'] });
    const other = await givenOrganization(server, 'Other Org');
    const asOther = withKey(other.apiKey);
    const answers = [
      await server.request(UpdateWebhookEndpointDocument, { input: { id: endpoint.id, enabled: false } }, asOther),
      await server.request(RotateWebhookEndpointSecretDocument, { input: { id: endpoint.id } }, asOther),
      await server.request(DeleteWebhookEndpointDocument, { input: { id: endpoint.id } }, asOther),
    ];
    for (const answer of answers) expect(JSON.stringify(answer.data)).toContain('NOT_FOUND');
    expect((await server.request(WebhookEndpointDocument, { id: endpoint.id }, withKey(other.apiKey))).data?.webhookEndpoint).toBeNull();

    const disabled = await server.request(
      UpdateWebhookEndpointDocument,
      { input: { id: endpoint.id, enabled: false } },
      withKey(platform.apiKey),
    );
    const disabledResult = disabled.data?.updateWebhookEndpoint;
    expect(disabledResult?.__typename === 'UpdateWebhookEndpointPayload' && disabledResult.webhookEndpoint.status).toBe('DISABLED');
    const event = await server.prisma.event.findFirst({ where: { type: 'webhook_endpoint.disabled', objectId: endpoint.id } });
    expect(event?.actorId).toBe(platform.apiKeyId);
    expect(JSON.stringify(event?.data)).not.toContain('secret');

    await server.prisma.webhookEndpoint.update({ where: { id: endpoint.id }, data: { consecutiveFailures: 7, failingSince: new Date() } });
    const enabled = await server.request(
      UpdateWebhookEndpointDocument,
      { input: { id: endpoint.id, enabled: true } },
      withKey(platform.apiKey),
    );
    expect(JSON.stringify(enabled.data)).toContain('"status":"ENABLED"');
    expect(await server.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).toMatchObject({
      status: 'ENABLED',
      consecutiveFailures: 0,
      failingSince: null,
      disabledReason: null,
    });

    const deleted = await server.request(DeleteWebhookEndpointDocument, { input: { id: endpoint.id } }, withKey(platform.apiKey));
    expect(deleted.data?.deleteWebhookEndpoint.__typename).toBe('DeleteWebhookEndpointPayload');
    expect(await server.prisma.webhookEndpoint.findUnique({ where: { id: endpoint.id } })).toBeNull();
  });
});

describe('who receives what', () => {
  it("sends a platform its own events, its connect endpoint its accounts' events, and nothing to another platform", async () => {
    const platformA = await givenConnectPlatform(server, 'Platform A');
    const platformB = await givenConnectPlatform(server, 'Platform B');
    const receivers = {
      own: await startReceiver(),
      connect: await startReceiver(),
      other: await startReceiver(),
      otherConnect: await startReceiver(),
    };
    try {
      await givenEndpoint(server, withKey(platformA.apiKey), { url: receivers.own.url, eventTypes: ['*'] });
      await givenEndpoint(server, withKey(platformA.apiKey), { url: receivers.connect.url, eventTypes: ['*'], connect: true });
      await givenEndpoint(server, withKey(platformB.apiKey), { url: receivers.other.url, eventTypes: ['*'] });
      await givenEndpoint(server, withKey(platformB.apiKey), { url: receivers.otherConnect.url, eventTypes: ['*'], connect: true });

      const connection = await givenConnection(server, platformA.apiKey);
      const { account } = await givenExpressAccount(server, platformA);
      await server.webhooks.deliverDue();

      const types = (r: Receiver) => r.receipts.map((receipt) => receipt.event.type).sort();
      // Making an endpoint is an event of its organization too: its own endpoints get it (a new
      // endpoint's first delivery is its own creation, like a ping), its connect endpoints do not.
      expect(types(receivers.own)).toEqual(['connection.created', 'webhook_endpoint.created', 'webhook_endpoint.created']);
      expect(receivers.own.receipts.find((receipt) => receipt.event.type === 'connection.created')?.event.data).toMatchObject({
        object: { id: connection.id },
      });
      expect(types(receivers.connect)).toEqual(['connected_account.created', 'connected_account.onboarding_link.created']);
      expect(receivers.connect.receipts.every((receipt) => JSON.stringify(receipt.event.data).includes(account.id))).toBe(true);
      expect(types(receivers.other)).toEqual(['webhook_endpoint.created', 'webhook_endpoint.created']);
      expect(JSON.stringify(receivers.other.receipts)).not.toContain(platformA.organizationId);
      expect(receivers.otherConnect.receipts).toHaveLength(0);
    } finally {
      await Promise.all(Object.values(receivers).map((r) => r.close()));
    }
  });
});

describe('who receives what, under a STANDARD grant', () => {
  // Fixed (issue 23: the grantor's own endpoints missed what its platform changed in its tenant under the grant).
  it("sends the grantor's own endpoint what its platform changed in the granted tenant, and the platform's connect endpoint too", async () => {
    const oauthPlatform = await givenOAuthPlatform(server, 'Granted Platform');
    const owner = await givenOwnedOrganization(server);
    const receivers = { grantor: await startReceiver(), platformOwn: await startReceiver(), platformConnect: await startReceiver() };
    try {
      await givenEndpoint(server, withKey(owner.apiKey), { url: receivers.grantor.url, eventTypes: ['connection.created'] });
      await givenEndpoint(server, withKey(oauthPlatform.apiKey), { url: receivers.platformOwn.url, eventTypes: ['connection.created'] });
      await givenEndpoint(server, withKey(oauthPlatform.apiKey), {
        url: receivers.platformConnect.url,
        eventTypes: ['connection.created'],
        connect: true,
      });
      const granted = await givenStandardAccount(server, oauthPlatform, owner, { scope: 'connections:read connections:write' });
      const created = await server.request(
        CreateConnectionDocument,
        { input: { name: 'Made by the platform', providerType: 'FLEXPRICE', secrets: { generic: { data: { apiKey: 'fp_test_key' } } } } },
        granted.actingIn(owner.tenantId),
      );
      const connection = created.data?.createConnection;
      if (connection?.__typename !== 'CreateConnectionPayload') return expect.fail(JSON.stringify(created));
      await server.webhooks.deliverDue();

      const objectIds = (receiver: Receiver) => receiver.receipts.map((receipt) => (receipt.event.data.object as { id: string }).id);
      expect(objectIds(receivers.grantor)).toEqual([connection.connection.id]);
      expect(objectIds(receivers.platformConnect)).toEqual([connection.connection.id]);
      // Its own (non-connect) endpoint gets its own tenant's events, not its accounts'.
      expect(receivers.platformOwn.receipts).toEqual([]);
    } finally {
      await Promise.all(Object.values(receivers).map((receiver) => receiver.close()));
    }
  });
});

describe('rotation and redelivery', () => {
  it('signs with both secrets for 24 hours after a rotation, then with the new one only', async () => {
    const owner = await givenOrganization(server, 'Rotating Org');
    const hooks = await startReceiver();
    try {
      const { endpoint, secret: oldSecret } = await givenEndpoint(server, withKey(owner.apiKey), {
        url: hooks.url,
        eventTypes: ['connection.created', 'connection.updated'],
      });
      const connection = await givenConnection(server, owner.apiKey);
      await server.webhooks.deliverDue();
      expect(hooks.receipts).toHaveLength(1);
      expect(String(hooks.receipts[0]?.headers['webhook-signature']).split(' ')).toHaveLength(1);

      const rotated = await server.request(RotateWebhookEndpointSecretDocument, { input: { id: endpoint.id } }, withKey(owner.apiKey));
      const result = rotated.data?.rotateWebhookEndpointSecret;
      if (result?.__typename !== 'RotateWebhookEndpointSecretPayload') return expect.fail(JSON.stringify(rotated));
      const newSecret = result.secret;
      expect(newSecret).not.toBe(oldSecret);

      await connection.touch();
      await server.webhooks.deliverDue();
      const during = hooks.receipts[1] ?? expect.fail('no delivery after the rotation');
      expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
      expect(verify(newSecret, during)).toMatchObject({ type: 'connection.updated' });
      expect(verify(oldSecret, during)).toMatchObject({ type: 'connection.updated' });

      server.clock.advance(24 * 60 * 60 * 1000 + 60_000);
      await connection.touch();
      await server.webhooks.deliverDue();
      const after = hooks.receipts[2] ?? expect.fail('no delivery a day after the rotation');
      expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
      expect(verify(newSecret, after)).toBeTruthy();
      expect(() => verify(oldSecret, after)).toThrow(/signature/i);
    } finally {
      await hooks.close();
    }
  });

  // Fixed: `secrets:reencrypt` left signing secrets under the old key, so removing it, as the
  // rotation steps say, would have stopped every endpoint from signing.
  it('are re-encrypted under a new key with the rotated-away secret still signing, so the old key can go', async () => {
    const owner = await givenOrganization(server, 'Key Rotation Org');
    const { endpoint, secret: oldSecret } = await givenEndpoint(server, withKey(owner.apiKey), {
      url: receiver.url,
      eventTypes: ['connection.created'],
    });
    const rotated = await server.request(RotateWebhookEndpointSecretDocument, { input: { id: endpoint.id } }, withKey(owner.apiKey));
    const result = rotated.data?.rotateWebhookEndpointSecret;
    if (result?.__typename !== 'RotateWebhookEndpointSecretPayload') return expect.fail(JSON.stringify(rotated));

    const newKey = newKeyEntry(2);
    const bothKeys = parseKeyRing(`${TEST_ENCRYPTION_KEYS},${newKey}`);
    const now = server.clock.now();
    expect(await pendingWebhookReencryption(server.prisma, bothKeys, now)).toBeGreaterThanOrEqual(1);
    while ((await reencryptWebhookSecretsBatch(server.prisma, bothKeys, 3, now)) > 0);
    expect(await pendingWebhookReencryption(server.prisma, bothKeys, now)).toBe(0);

    const row = await server.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect(signingSecrets(parseKeyRing(newKey), row, now)).toEqual([result.secret, oldSecret]);
    expect(() => signingSecrets(server.keyRing, row, now)).toThrow(/not in the key ring/);
  });

  // Fixed (issue 23: after two rotations the first secret stopped signing at once; the contract gives it 24 h).
  it('keeps every secret rotated away signing for its 24 hours, up to 5 at once, unless the rotation ends them', async () => {
    const owner = await givenOrganization(server, 'Twice Rotating Org');
    const hooks = await startReceiver();
    const rotate = async () => {
      const rotated = await server.request(RotateWebhookEndpointSecretDocument, { input: { id: endpoint.id } }, withKey(owner.apiKey));
      return rotated.data?.rotateWebhookEndpointSecret ?? expect.fail(JSON.stringify(rotated));
    };
    const secretOf = (result: Awaited<ReturnType<typeof rotate>>) =>
      result.__typename === 'RotateWebhookEndpointSecretPayload' ? result.secret : expect.fail(JSON.stringify(result));
    const { endpoint, secret: first } = await givenEndpoint(server, withKey(owner.apiKey), {
      url: hooks.url,
      eventTypes: ['connection.updated'],
    });
    try {
      const connection = await givenConnection(server, owner.apiKey);
      const second = secretOf(await rotate());
      server.clock.advance(60 * 60 * 1000);
      const third = secretOf(await rotate());
      await connection.touch();
      await server.webhooks.deliverDue();
      const both = hooks.receipts.at(-1) ?? expect.fail('no delivery after two rotations');
      expect(String(both.headers['webhook-signature']).split(' ')).toHaveLength(3);
      for (const secret of [first, second, third]) expect(verify(secret, both)).toMatchObject({ type: 'connection.updated' });

      // Two more make five signing: a sixth waits until the oldest expires, and says when.
      secretOf(await rotate());
      const fifth = secretOf(await rotate());
      const refused = await rotate();
      expect(refused).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE' });
      expect(refused.__typename === 'InvalidStateError' && refused.message).toMatch(
        /5 secrets signing.*rotate again after \d{4}-\d\d-\d\dT/,
      );

      // A day after the first rotation, the first secret stops; the second (rotated away an hour later) still signs.
      server.clock.advance(23 * 60 * 60 * 1000 + 60_000);
      await connection.touch();
      await server.webhooks.deliverDue();
      const later = hooks.receipts.at(-1) ?? expect.fail('no delivery a day later');
      expect(() => verify(first, later)).toThrow(/signature/i);
      for (const secret of [second, third, fifth]) expect(verify(secret, later)).toBeTruthy();
      expect(secretOf(await rotate())).toMatch(/^whsec_/);

      // After a leak, every secret rotated away stops at once (an outsider's probe found no way to
      // cut a leaked one within the day once five were signing).
      const leaked = await server.request(
        RotateWebhookEndpointSecretDocument,
        { input: { id: endpoint.id, expirePrevious: true } },
        withKey(owner.apiKey),
      );
      const alone = secretOf(leaked.data?.rotateWebhookEndpointSecret ?? expect.fail(JSON.stringify(leaked)));
      await connection.touch();
      await server.webhooks.deliverDue();
      const cut = hooks.receipts.at(-1) ?? expect.fail('no delivery after the cut');
      expect(String(cut.headers['webhook-signature']).split(' ')).toHaveLength(1);
      expect(verify(alone, cut)).toBeTruthy();
    } finally {
      await hooks.close();
    }
  });

  it('redelivers a delivered event now, with the same webhook-id; never one of another tenant', async () => {
    const owner = await givenOrganization(server, 'Redelivering Org');
    const hooks = await startReceiver();
    try {
      const { endpoint, secret } = await givenEndpoint(server, withKey(owner.apiKey), {
        url: hooks.url,
        eventTypes: ['connection.created'],
      });
      await givenConnection(server, owner.apiKey);
      await server.webhooks.deliverDue();
      const [delivery] = await deliveriesOf(server, owner.apiKey, endpoint.id);
      expect(delivery).toMatchObject({ status: 'DELIVERED', attempts: 1, lastResponseStatus: 204, nextAttemptAt: null, lastError: null });

      const stranger = await givenOrganization(server, 'Stranger Org');
      const refused = await server.request(
        RedeliverWebhookDocument,
        { input: { deliveryId: delivery?.id ?? '' } },
        withKey(stranger.apiKey),
      );
      expect(refused.data?.redeliverWebhook.__typename).toBe('NotFoundError');
      expect(await deliveriesOf(server, stranger.apiKey, endpoint.id)).toEqual([]);

      const response = await server.request(RedeliverWebhookDocument, { input: { deliveryId: delivery?.id ?? '' } }, withKey(owner.apiKey));
      const result = response.data?.redeliverWebhook;
      if (result?.__typename !== 'RedeliverWebhookPayload') return expect.fail(JSON.stringify(response));
      expect(result.webhookDelivery.status).toBe('PENDING');
      await server.webhooks.deliverDue();
      expect(hooks.receipts).toHaveLength(2);
      expect(hooks.receipts[1]?.headers['webhook-id']).toBe(hooks.receipts[0]?.headers['webhook-id']);
      expect(verify(secret, hooks.receipts[1] ?? expect.fail())).toBeTruthy();
      const [again] = await deliveriesOf(server, owner.apiKey, endpoint.id);
      expect(again).toMatchObject({ status: 'DELIVERED', attempts: 2 });
    } finally {
      await hooks.close();
    }
  });
});
