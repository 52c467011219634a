// Webhook endpoints over GraphQL: the secret shown once and stored encrypted, validation, who
// receives which events (never another tenant's), secret rotation, and redelivery.
import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
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
import { givenConnectPlatform, givenExpressAccount } from '../support/givens/connect.ts';
import { givenOrganization } from '../support/givens/organizations.ts';
import { TEST_ENCRYPTION_KEYS, withKey } from '../support/server.ts';
import { newKeyEntry, parseKeyRing } from '../../src/crypto/key-ring.ts';
import { pendingWebhookReencryption, reencryptWebhookSecretsBatch } from '../../src/webhooks/reencrypt.ts';
import { signingSecrets } from '../../src/webhooks/signing.ts';
import { deliveriesOf, givenConnection, givenEndpoint } from '../support/givens/webhooks.ts';
import { startReceiver, verify, type Receiver } from './receiver.ts';

// Rounds run when a test says so (and when an event is committed).
const { test, world } = platformWorld({ environment: { WEBHOOK_POLL_MS: '3600000' } }, async (seed) => {
  const platform = await seed.connectPlatform('Webhook Platform');
  const receiver = await startReceiver();
  return { platform, receiver };
});
test.afterAll(async () => {
  await world.receiver?.close();
});

describe('webhook endpoints', () => {
  test('show the whsec_ secret on creation only and store it encrypted', async () => {
    const { endpoint, secret } = await givenEndpoint(world.server, withKey(world.platform.apiKey), {
      url: world.receiver.url,
      eventTypes: ['connection.created', 'connection.updated', 'connection.created'],
      description: 'Billing sync',
    });
    expect(endpoint).toMatchObject({
      url: world.receiver.url,
      eventTypes: ['connection.created', 'connection.updated'],
      status: 'ENABLED',
      connect: false,
    });
    expect(endpoint.id).toMatch(/^we_/);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64').length).toBeGreaterThanOrEqual(24);

    const row = await world.server.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect(JSON.stringify(row)).not.toContain(secret.slice('whsec_'.length, 20));
    expect(row).toMatchObject({
      organizationId: world.platform.organizationId,
      tenantId: world.platform.tenantId,
      actingForAccountId: null,
    });

    const listed = await world.server.request(WebhookEndpointsDocument, {}, withKey(world.platform.apiKey));
    expect(listed.data?.webhookEndpoints.nodes.map((node) => node.id)).toContain(endpoint.id);
    const one = await world.server.request(WebhookEndpointDocument, { id: endpoint.id }, withKey(world.platform.apiKey));
    expect(one.data?.webhookEndpoint?.description).toBe('Billing sync');
    expect(JSON.stringify([listed, one])).not.toContain(secret);
    expect(world.server.logs()).not.toContain(secret.slice('whsec_'.length, 20));
  });

  test('refuse unknown event types, other schemes and credentials in the URL, naming the field', async () => {
    const refused = async (input: Parameters<typeof givenEndpoint>[2]) => {
      const response = await world.server.request(CreateWebhookEndpointDocument, { input }, withKey(world.platform.apiKey));
      const result = response.data?.createWebhookEndpoint;
      return result?.__typename === 'ValidationError' ? result.fields : expect.fail(JSON.stringify(response));
    };
    expect(await refused({ url: world.receiver.url, eventTypes: ['connection.created', 'connection.exploded'] })).toEqual([
      'input.eventTypes[1]',
    ]);
    expect(await refused({ url: world.receiver.url, eventTypes: [] })).toEqual(['input.eventTypes']);
    // A wildcard names a prefix some type has: nothing else.
    expect(
      await refused({ url: world.receiver.url, eventTypes: ['connection.*', 'connexion.*', '*.created', 'connection', 'connection.*.*'] }),
    ).toEqual(['input.eventTypes[1]', 'input.eventTypes[2]', 'input.eventTypes[3]', 'input.eventTypes[4]']);
    expect(await refused({ url: world.receiver.url, eventTypes: ['*', 'connection.created'] })).toEqual(['input.eventTypes']);
    expect(await refused({ url: 'http://receiver.example/hooks', eventTypes: ['*'] })).toEqual(['input.url']);
    expect(await refused({ url: 'ftp://127.0.0.1/hooks', eventTypes: ['*'] })).toEqual(['input.url']);
    expect(await refused({ url: 'https://user:pass@receiver.example/hooks', eventTypes: ['*'] })).toEqual(['input.url']);
  });

  test("refuse connect: true while acting for an account; an endpoint made while acting gets that account's tenant", async () => {
    const account = await world.platform.activeAccount();
    const response = await world.server.request(
      CreateWebhookEndpointDocument,
      { input: { url: world.receiver.url, eventTypes: ['*'], connect: true } },
      world.platform.actingFor(account.accountId),
    );
    const result = response.data?.createWebhookEndpoint;
    expect(result?.__typename === 'ValidationError' && result.fields).toEqual(['input.connect']);

    const { endpoint } = await givenEndpoint(world.server, world.platform.actingFor(account.accountId), {
      url: world.receiver.url,
      eventTypes: ['*'],
    });
    const row = await world.server.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect(row).toMatchObject({
      tenantId: account.tenantId,
      organizationId: account.organizationId,
      actingForAccountId: account.accountId,
    });
    // The platform's own list does not show it: it belongs to the account's tenant.
    const own = await world.server.request(WebhookEndpointsDocument, {}, withKey(world.platform.apiKey));
    expect(own.data?.webhookEndpoints.nodes.map((node) => node.id)).not.toContain(endpoint.id);
  });

  test('disable and enable again (counters reset), and delete; another tenant finds none of them', async () => {
    const { endpoint } = await givenEndpoint(world.server, withKey(world.platform.apiKey), { url: world.receiver.url, eventTypes: ['*'] });
    const other = await givenOrganization(world.server, 'Other Org');
    const asOther = withKey(other.apiKey);
    const answers = [
      await world.server.request(UpdateWebhookEndpointDocument, { input: { id: endpoint.id, enabled: false } }, asOther),
      await world.server.request(RotateWebhookEndpointSecretDocument, { input: { id: endpoint.id } }, asOther),
      await world.server.request(DeleteWebhookEndpointDocument, { input: { id: endpoint.id } }, asOther),
    ];
    for (const answer of answers) expect(JSON.stringify(answer.data)).toContain('NOT_FOUND');
    expect(
      (await world.server.request(WebhookEndpointDocument, { id: endpoint.id }, withKey(other.apiKey))).data?.webhookEndpoint,
    ).toBeNull();

    const disabled = await world.server.request(
      UpdateWebhookEndpointDocument,
      { input: { id: endpoint.id, enabled: false } },
      withKey(world.platform.apiKey),
    );
    const disabledResult = disabled.data?.updateWebhookEndpoint;
    expect(disabledResult?.__typename === 'UpdateWebhookEndpointPayload' && disabledResult.webhookEndpoint.status).toBe('DISABLED');
    const event = await world.server.prisma.event.findFirst({ where: { type: 'webhook_endpoint.disabled', objectId: endpoint.id } });
    expect(event?.actorId).toBe(world.platform.apiKeyId);
    expect(JSON.stringify(event?.data)).not.toContain('secret');

    await world.server.prisma.webhookEndpoint.update({
      where: { id: endpoint.id },
      data: { consecutiveFailures: 7, failingSince: new Date() },
    });
    const enabled = await world.server.request(
      UpdateWebhookEndpointDocument,
      { input: { id: endpoint.id, enabled: true } },
      withKey(world.platform.apiKey),
    );
    expect(JSON.stringify(enabled.data)).toContain('"status":"ENABLED"');
    expect(await world.server.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).toMatchObject({
      status: 'ENABLED',
      consecutiveFailures: 0,
      failingSince: null,
      disabledReason: null,
    });

    const deleted = await world.server.request(
      DeleteWebhookEndpointDocument,
      { input: { id: endpoint.id } },
      withKey(world.platform.apiKey),
    );
    expect(deleted.data?.deleteWebhookEndpoint.__typename).toBe('DeleteWebhookEndpointPayload');
    expect(await world.server.prisma.webhookEndpoint.findUnique({ where: { id: endpoint.id } })).toBeNull();
  });
});

describe('who receives what', () => {
  test("sends a platform its own events, its connect endpoint its accounts' events, and nothing to another platform", async () => {
    const platformA = await givenConnectPlatform(world.server, 'Platform A');
    const platformB = await givenConnectPlatform(world.server, 'Platform B');
    const receivers = {
      own: await startReceiver(),
      connect: await startReceiver(),
      other: await startReceiver(),
      otherConnect: await startReceiver(),
    };
    try {
      await givenEndpoint(world.server, withKey(platformA.apiKey), { url: receivers.own.url, eventTypes: ['*'] });
      await givenEndpoint(world.server, withKey(platformA.apiKey), { url: receivers.connect.url, eventTypes: ['*'], connect: true });
      await givenEndpoint(world.server, withKey(platformB.apiKey), { url: receivers.other.url, eventTypes: ['*'] });
      await givenEndpoint(world.server, withKey(platformB.apiKey), { url: receivers.otherConnect.url, eventTypes: ['*'], connect: true });

      const connection = await givenConnection(world.server, platformA.apiKey);
      const { account } = await givenExpressAccount(world.server, platformA);
      await world.server.webhooks.deliverDue();

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
  test("sends the grantor's own endpoint what its platform changed in the granted tenant, and the platform's connect endpoint too", async () => {
    const oauthPlatform = await givenOAuthPlatform(world.server, 'Granted Platform');
    const owner = await givenOwnedOrganization(world.server);
    const receivers = { grantor: await startReceiver(), platformOwn: await startReceiver(), platformConnect: await startReceiver() };
    try {
      await givenEndpoint(world.server, withKey(owner.apiKey), { url: receivers.grantor.url, eventTypes: ['connection.created'] });
      await givenEndpoint(world.server, withKey(oauthPlatform.apiKey), {
        url: receivers.platformOwn.url,
        eventTypes: ['connection.created'],
      });
      await givenEndpoint(world.server, withKey(oauthPlatform.apiKey), {
        url: receivers.platformConnect.url,
        eventTypes: ['connection.created'],
        connect: true,
      });
      const granted = await givenStandardAccount(world.server, oauthPlatform, owner, { scope: 'connections:read connections:write' });
      const created = await world.server.request(
        CreateConnectionDocument,
        { input: { name: 'Made by the platform', providerType: 'FLEXPRICE', secrets: { generic: { data: { apiKey: 'fp_test_key' } } } } },
        granted.actingIn(owner.tenantId),
      );
      const connection = created.data?.createConnection;
      if (connection?.__typename !== 'CreateConnectionPayload') return expect.fail(JSON.stringify(created));
      await world.server.webhooks.deliverDue();

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
  test('signs with both secrets for 24 hours after a rotation, then with the new one only', async () => {
    const owner = await givenOrganization(world.server, 'Rotating Org');
    const hooks = await startReceiver();
    try {
      const { endpoint, secret: oldSecret } = await givenEndpoint(world.server, withKey(owner.apiKey), {
        url: hooks.url,
        eventTypes: ['connection.created', 'connection.updated'],
      });
      const connection = await givenConnection(world.server, owner.apiKey);
      await world.server.webhooks.deliverDue();
      expect(hooks.receipts).toHaveLength(1);
      expect(String(hooks.receipts[0]?.headers['webhook-signature']).split(' ')).toHaveLength(1);

      const rotated = await world.server.request(
        RotateWebhookEndpointSecretDocument,
        { input: { id: endpoint.id } },
        withKey(owner.apiKey),
      );
      const result = rotated.data?.rotateWebhookEndpointSecret;
      if (result?.__typename !== 'RotateWebhookEndpointSecretPayload') return expect.fail(JSON.stringify(rotated));
      const newSecret = result.secret;
      expect(newSecret).not.toBe(oldSecret);

      await connection.touch();
      await world.server.webhooks.deliverDue();
      const during = hooks.receipts[1] ?? expect.fail('no delivery after the rotation');
      expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
      expect(verify(newSecret, during)).toMatchObject({ type: 'connection.updated' });
      expect(verify(oldSecret, during)).toMatchObject({ type: 'connection.updated' });

      world.server.clock.advance(24 * 60 * 60 * 1000 + 60_000);
      await connection.touch();
      await world.server.webhooks.deliverDue();
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
  test('are re-encrypted under a new key with the rotated-away secret still signing, so the old key can go', async () => {
    const owner = await givenOrganization(world.server, 'Key Rotation Org');
    const { endpoint, secret: oldSecret } = await givenEndpoint(world.server, withKey(owner.apiKey), {
      url: world.receiver.url,
      eventTypes: ['connection.created'],
    });
    const rotated = await world.server.request(RotateWebhookEndpointSecretDocument, { input: { id: endpoint.id } }, withKey(owner.apiKey));
    const result = rotated.data?.rotateWebhookEndpointSecret;
    if (result?.__typename !== 'RotateWebhookEndpointSecretPayload') return expect.fail(JSON.stringify(rotated));

    const newKey = newKeyEntry(2);
    const bothKeys = parseKeyRing(`${TEST_ENCRYPTION_KEYS},${newKey}`);
    const now = world.server.clock.now();
    expect(await pendingWebhookReencryption(world.server.prisma, bothKeys, now)).toBeGreaterThanOrEqual(1);
    while ((await reencryptWebhookSecretsBatch(world.server.prisma, bothKeys, 3, now)) > 0);
    expect(await pendingWebhookReencryption(world.server.prisma, bothKeys, now)).toBe(0);

    const row = await world.server.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect(signingSecrets(parseKeyRing(newKey), row, now)).toEqual([result.secret, oldSecret]);
    expect(() => signingSecrets(world.server.keyRing, row, now)).toThrow(/not in the key ring/);
  });

  // Fixed (issue 23: after two rotations the first secret stopped signing at once; the contract gives it 24 h).
  test('keeps every secret rotated away signing for its 24 hours, up to 5 at once, unless the rotation ends them', async () => {
    const owner = await givenOrganization(world.server, 'Twice Rotating Org');
    const hooks = await startReceiver();
    const rotate = async () => {
      const rotated = await world.server.request(
        RotateWebhookEndpointSecretDocument,
        { input: { id: endpoint.id } },
        withKey(owner.apiKey),
      );
      return rotated.data?.rotateWebhookEndpointSecret ?? expect.fail(JSON.stringify(rotated));
    };
    const secretOf = (result: Awaited<ReturnType<typeof rotate>>) =>
      result.__typename === 'RotateWebhookEndpointSecretPayload' ? result.secret : expect.fail(JSON.stringify(result));
    const { endpoint, secret: first } = await givenEndpoint(world.server, withKey(owner.apiKey), {
      url: hooks.url,
      eventTypes: ['connection.updated'],
    });
    try {
      const connection = await givenConnection(world.server, owner.apiKey);
      const second = secretOf(await rotate());
      world.server.clock.advance(60 * 60 * 1000);
      const third = secretOf(await rotate());
      await connection.touch();
      await world.server.webhooks.deliverDue();
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
      world.server.clock.advance(23 * 60 * 60 * 1000 + 60_000);
      await connection.touch();
      await world.server.webhooks.deliverDue();
      const later = hooks.receipts.at(-1) ?? expect.fail('no delivery a day later');
      expect(() => verify(first, later)).toThrow(/signature/i);
      for (const secret of [second, third, fifth]) expect(verify(secret, later)).toBeTruthy();
      expect(secretOf(await rotate())).toMatch(/^whsec_/);

      // After a leak, every secret rotated away stops at once (an outsider's probe found no way to
      // cut a leaked one within the day once five were signing).
      const leaked = await world.server.request(
        RotateWebhookEndpointSecretDocument,
        { input: { id: endpoint.id, expirePrevious: true } },
        withKey(owner.apiKey),
      );
      const alone = secretOf(leaked.data?.rotateWebhookEndpointSecret ?? expect.fail(JSON.stringify(leaked)));
      await connection.touch();
      await world.server.webhooks.deliverDue();
      const cut = hooks.receipts.at(-1) ?? expect.fail('no delivery after the cut');
      expect(String(cut.headers['webhook-signature']).split(' ')).toHaveLength(1);
      expect(verify(alone, cut)).toBeTruthy();
    } finally {
      await hooks.close();
    }
  });

  test('redelivers a delivered event now, with the same webhook-id; never one of another tenant', async () => {
    const owner = await givenOrganization(world.server, 'Redelivering Org');
    const hooks = await startReceiver();
    try {
      const { endpoint, secret } = await givenEndpoint(world.server, withKey(owner.apiKey), {
        url: hooks.url,
        eventTypes: ['connection.created'],
      });
      await givenConnection(world.server, owner.apiKey);
      await world.server.webhooks.deliverDue();
      const [delivery] = await deliveriesOf(world.server, owner.apiKey, endpoint.id);
      expect(delivery).toMatchObject({ status: 'DELIVERED', attempts: 1, lastResponseStatus: 204, nextAttemptAt: null, lastError: null });

      const stranger = await givenOrganization(world.server, 'Stranger Org');
      const refused = await world.server.request(
        RedeliverWebhookDocument,
        { input: { deliveryId: delivery?.id ?? '' } },
        withKey(stranger.apiKey),
      );
      expect(refused.data?.redeliverWebhook.__typename).toBe('NotFoundError');
      expect(await deliveriesOf(world.server, stranger.apiKey, endpoint.id)).toEqual([]);

      const response = await world.server.request(
        RedeliverWebhookDocument,
        { input: { deliveryId: delivery?.id ?? '' } },
        withKey(owner.apiKey),
      );
      const result = response.data?.redeliverWebhook;
      if (result?.__typename !== 'RedeliverWebhookPayload') return expect.fail(JSON.stringify(response));
      expect(result.webhookDelivery.status).toBe('PENDING');
      await world.server.webhooks.deliverDue();
      expect(hooks.receipts).toHaveLength(2);
      expect(hooks.receipts[1]?.headers['webhook-id']).toBe(hooks.receipts[0]?.headers['webhook-id']);
      expect(verify(secret, hooks.receipts[1] ?? expect.fail())).toBeTruthy();
      const [again] = await deliveriesOf(world.server, owner.apiKey, endpoint.id);
      expect(again).toMatchObject({ status: 'DELIVERED', attempts: 2 });
    } finally {
      await hooks.close();
    }
  });
});
