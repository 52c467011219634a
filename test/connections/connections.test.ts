import { readFile } from 'node:fs/promises';
import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import {
  ArchiveConnectionDocument,
  ConnectionDocument,
  ConnectionsDocument,
  CreateConnectionDocument,
  DeleteConnectionDocument,
  UnarchiveConnectionDocument,
  UpdateConnectionDocument,
  type CreateConnectionInput,
} from '../generated/graphql.ts';
import { parseKeyRing, newKeyEntry } from '../../src/crypto/key-ring.ts';
import { pendingReencryption, readConnectionSecrets, reencryptBatch } from '../../src/connections/service.ts';
import { givenOrganization, type OrganizationFixture } from '../support/givens/organizations.ts';
import { TEST_ENCRYPTION_KEYS, withKey } from '../support/server.ts';

const { test, world } = platformWorld({}, async (seed) => {
  const platform = await seed.connectPlatform('Integrations Platform');
  return { platform };
});

const STRIPE_SECRET = 'sk_live_51Hx9ZqLkT0pSecretValue4242';
const stripeInput = (overrides: Partial<CreateConnectionInput> = {}): CreateConnectionInput => ({
  name: 'Stripe EU',
  providerType: 'STRIPE',
  secrets: {
    stripe: {
      accountId: 'acct_1Hx9ZqLkT0p',
      publishableKey: 'pk_live_51Hx9ZqLkT0pPublishable1111',
      secretKey: STRIPE_SECRET,
      webhookSecret: 'whsec_9f8e7d6c5b4a39281726',
    },
  },
  ...overrides,
});

async function create(owner: OrganizationFixture, input: CreateConnectionInput, headers = withKey(owner.apiKey)) {
  const response = await world.server.request(CreateConnectionDocument, { input }, headers);
  const result = response.data?.createConnection;
  if (result?.__typename !== 'CreateConnectionPayload') return expect.fail(JSON.stringify(response));
  return result.connection;
}

describe('connections', () => {
  test('store secrets encrypted and show only masked hints, with complete sync config defaults', async () => {
    const owner = await givenOrganization(world.server, 'Stripe user');
    const connection = await create(owner, stripeInput({ syncConfig: { invoice: { outbound: true } }, metadata: { region: 'eu' } }));
    expect(connection).toMatchObject({
      name: 'Stripe EU',
      providerType: 'STRIPE',
      status: 'PUBLISHED',
      tenantId: owner.tenantId,
      createdBy: owner.apiKeyId,
      updatedBy: owner.apiKeyId,
      settings: { invoiceSyncEnable: false },
      metadata: { region: 'eu' },
      syncConfig: {
        plan: { inbound: false, outbound: false },
        subscription: { inbound: false, outbound: false },
        invoice: { inbound: false, outbound: true },
        deal: { inbound: false, outbound: false },
      },
      secretHints: {
        accountId: 'acct_…',
        secretKey: 'sk_live_…4242',
        publishableKey: 'pk_live_…1111',
        webhookSecret: 'whsec_…1726',
      },
    });
    expect(connection.id).toMatch(/^conn_/);

    const [raw] = await world.server.prisma.$queryRawUnsafe<Record<string, unknown>[]>(
      `SELECT * FROM "Connection" WHERE id = $1`,
      connection.id,
    );
    const rawText = JSON.stringify(raw);
    for (const secret of [STRIPE_SECRET, 'whsec_9f8e7d6c5b4a39281726', 'pk_live_51Hx9ZqLkT0pPublishable1111'])
      expect(rawText).not.toContain(secret);
    expect(await readConnectionSecrets(world.server.prisma, world.server.keyRing, connection.id)).toMatchObject({
      secretKey: STRIPE_SECRET,
    });
  });

  test('never puts a secret in a response, an error or a log line', async () => {
    const owner = await givenOrganization(world.server, 'Leak check');
    const responses = [
      await world.server.request(CreateConnectionDocument, { input: stripeInput() }, withKey(owner.apiKey)),
      // Wrong member for the provider, malformed field, a value of the wrong type, a missing field, two members.
      await world.server.request(CreateConnectionDocument, { input: stripeInput({ providerType: 'HUBSPOT' }) }, withKey(owner.apiKey)),
      await world.server.request(
        CreateConnectionDocument,
        { input: stripeInput({ name: 'x', secrets: { stripe: { publishableKey: 'pk_nope', secretKey: `nope-${STRIPE_SECRET}` } } }) },
        withKey(owner.apiKey),
      ),
      await world.server.request(
        CreateConnectionDocument,
        { input: { ...stripeInput(), secrets: { stripe: { secretKey: STRIPE_SECRET } } } },
        withKey(owner.apiKey),
      ),
      await world.server.request(
        CreateConnectionDocument,
        { input: { ...stripeInput(), secrets: { stripe: { publishableKey: 42, secretKey: STRIPE_SECRET } } } } as never,
        withKey(owner.apiKey),
      ),
      await world.server.request(
        CreateConnectionDocument,
        {
          input: {
            ...stripeInput(),
            secrets: { ...stripeInput().secrets, s3: { awsAccessKeyId: 'AKIA', awsSecretAccessKey: STRIPE_SECRET } },
          },
        } as never,
        withKey(owner.apiKey),
      ),
    ];
    expect(responses[1]?.data?.createConnection).toMatchObject({ code: 'VALIDATION', fields: ['input.secrets'] });
    expect(responses[2]?.data?.createConnection).toMatchObject({
      code: 'VALIDATION',
      fields: ['input.secrets.stripe.publishableKey', 'input.secrets.stripe.secretKey'],
    });
    expect(responses[3]?.data?.createConnection).toMatchObject({ code: 'VALIDATION', fields: ['input.secrets.stripe.publishableKey'] });
    // A value of the wrong type, two members at once: refused by GraphQL itself, without the value.
    for (const response of responses.slice(4)) expect(response.status).toBe(400);
    for (const response of responses) expect(JSON.stringify(response)).not.toContain(STRIPE_SECRET.slice(8));
    expect(world.server.logs()).not.toContain(STRIPE_SECRET.slice(8));
  });

  test('keep their secrets when other fields change, and replace only the secret fields given', async () => {
    const owner = await givenOrganization(world.server, 'Updater');
    const connection = await create(owner, stripeInput());
    const renamed = await world.server.request(
      UpdateConnectionDocument,
      { input: { id: connection.id, name: 'Stripe US', settings: { invoiceSyncEnable: true }, syncConfig: { deal: { inbound: true } } } },
      withKey(owner.apiKey),
    );
    expect(renamed.data?.updateConnection).toMatchObject({
      connection: { name: 'Stripe US', settings: { invoiceSyncEnable: true }, secretHints: connection.secretHints },
    });
    expect(await readConnectionSecrets(world.server.prisma, world.server.keyRing, connection.id)).toMatchObject({
      secretKey: STRIPE_SECRET,
    });

    const replaced = await world.server.request(
      UpdateConnectionDocument,
      { input: { id: connection.id, secrets: { stripe: { publishableKey: 'pk_test_abcdefgh9999', secretKey: 'rk_test_abcdefgh8888' } } } },
      withKey(owner.apiKey),
    );
    expect(replaced.data?.updateConnection).toMatchObject({
      connection: { secretHints: { ...connection.secretHints, publishableKey: 'pk_test_…', secretKey: 'rk_test_…' } },
    });
    const secrets = await readConnectionSecrets(world.server.prisma, world.server.keyRing, connection.id);
    expect(secrets).toEqual({
      accountId: 'acct_1Hx9ZqLkT0p',
      publishableKey: 'pk_test_abcdefgh9999',
      secretKey: 'rk_test_abcdefgh8888',
      webhookSecret: 'whsec_9f8e7d6c5b4a39281726',
    });
  });

  test('show at most four characters of a secret in a hint, and none of a secret shorter than 16', async () => {
    const owner = await givenOrganization(world.server, 'Short secrets');
    // A 12-character Stripe key was once shown whole: its prefix, then its last four.
    const stripe = await create(owner, {
      name: 'Short Stripe',
      providerType: 'STRIPE',
      secrets: { stripe: { publishableKey: 'pk_test_abcd', secretKey: 'sk_live_4242' } },
    });
    expect(stripe.secretHints).toEqual({ publishableKey: 'pk_test_…', secretKey: 'sk_live_…' });
    // Only a provider's public prefixes are shown: an underscore inside a secret is no prefix.
    const s3 = await create(owner, {
      name: 'Bucket',
      providerType: 'S3',
      secrets: { s3: { awsAccessKeyId: 'AKIAIOSFODNN7EXAMP', awsSecretAccessKey: 'wJalr_XUtnFEMI/K7MDENG/bPxRfiCY' } },
    });
    expect(s3.secretHints).toEqual({ awsAccessKeyId: '…XAMP', awsSecretAccessKey: '…fiCY' });
    const hubspot = await create(owner, {
      name: 'CRM',
      providerType: 'HUBSPOT',
      secrets: { hubspot: { accessToken: 'pat-na1-12345', clientSecret: 'cs-1234567890abcdef' } },
    });
    expect(hubspot.secretHints).toEqual({ accessToken: '…', clientSecret: '…cdef' });
    for (const hints of [stripe.secretHints, s3.secretHints, hubspot.secretHints]) {
      for (const hint of Object.values(hints as Record<string, string>)) {
        expect(hint.replace(/^(?:(?:sk|rk|pk)_(?:live|test)_|whsec_|acct_)?…/, '').length).toBeLessThanOrEqual(4);
      }
    }
  });

  test('cut back the hints written before the rule to their public prefix (migration)', async () => {
    const owner = await givenOrganization(world.server, 'Old hints');
    const { id } = await create(owner, stripeInput());
    // What the earlier mask wrote for a 12-character key, and for an S3 secret with an underscore in it.
    await world.server.prisma.connection.update({
      where: { id },
      data: {
        secretHints: {
          secretKey: 'sk_live_…4242',
          publishableKey: 'pk_test_…abcd',
          awsSecretAccessKey: 'wJalr_…EKEY',
          accessToken: '…9012',
        },
      },
    });
    const migration = await readFile(
      new URL('../../prisma/migrations/20261123103100_secret_hints_cut_back/migration.sql', import.meta.url),
      'utf8',
    );
    await world.server.prisma.$executeRawUnsafe(migration.replace(/^--.*$/gm, '').trim());
    const read = await world.server.request(ConnectionDocument, { id }, withKey(owner.apiKey));
    expect(read.data?.connection?.secretHints).toEqual({
      secretKey: 'sk_live_…',
      publishableKey: 'pk_test_…',
      awsSecretAccessKey: '…',
      accessToken: '…',
    });
  });

  test('archive, unarchive and soft-delete, wiping the ciphertext; other moves are INVALID_STATE', async () => {
    const owner = await givenOrganization(world.server, 'Lifecycle');
    const { id } = await create(owner, stripeInput());
    const key = withKey(owner.apiKey);
    expect((await world.server.request(ArchiveConnectionDocument, { input: { id } }, key)).data?.archiveConnection).toMatchObject({
      connection: { status: 'ARCHIVED' },
    });
    expect((await world.server.request(ArchiveConnectionDocument, { input: { id } }, key)).data?.archiveConnection).toMatchObject({
      code: 'INVALID_STATE',
    });
    expect((await world.server.request(UnarchiveConnectionDocument, { input: { id } }, key)).data?.unarchiveConnection).toMatchObject({
      connection: { status: 'PUBLISHED' },
    });
    const deleted = await world.server.request(DeleteConnectionDocument, { input: { id } }, key);
    expect(deleted.data?.deleteConnection).toMatchObject({ connection: { status: 'DELETED', secretHints: {} } });
    const row = await world.server.prisma.connection.findUniqueOrThrow({ where: { id } });
    expect(row.encryptedSecrets).toBeNull();
    expect(await readConnectionSecrets(world.server.prisma, world.server.keyRing, id)).toBeNull();
    expect((await world.server.request(DeleteConnectionDocument, { input: { id } }, key)).data?.deleteConnection).toMatchObject({
      code: 'INVALID_STATE',
    });
    expect(
      (await world.server.request(UpdateConnectionDocument, { input: { id, name: 'again' } }, key)).data?.updateConnection,
    ).toMatchObject({
      code: 'INVALID_STATE',
    });

    // Deleted, its name is free again.
    expect((await create(owner, stripeInput())).status).toBe('PUBLISHED');
  });

  test('allow several per provider, each name once per tenant in any letter case, even under concurrent creation', async () => {
    const owner = await givenOrganization(world.server, 'Concurrent');
    const responses = await Promise.all(
      ['Stripe EU', 'STRIPE EU', 'stripe eu', 'Stripe Eu', 'Stripe US', 'stripe us', 'Stripe FR', 'sTRIPE fr'].map((name) =>
        world.server.request(CreateConnectionDocument, { input: stripeInput({ name }) }, withKey(owner.apiKey)),
      ),
    );
    const kinds = responses.map((response) => response.data?.createConnection.__typename);
    expect(kinds.filter((kind) => kind === 'CreateConnectionPayload')).toHaveLength(3);
    expect(kinds.filter((kind) => kind === 'ConflictError')).toHaveLength(5);
    expect(await world.server.prisma.connection.count({ where: { tenantId: owner.tenantId, providerType: 'STRIPE' } })).toBe(3);

    // Renaming onto another's name, in any case, is a CONFLICT too; an archived one keeps its name.
    const [first, second] = await world.server.prisma.connection.findMany({
      where: { tenantId: owner.tenantId },
      orderBy: { name: 'asc' },
    });
    const clash = await world.server.request(
      UpdateConnectionDocument,
      { input: { id: second!.id, name: first!.name.toUpperCase() } },
      withKey(owner.apiKey),
    );
    expect(clash.data?.updateConnection).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
    await world.server.request(ArchiveConnectionDocument, { input: { id: first!.id } }, withKey(owner.apiKey));
    const onArchived = await world.server.request(
      CreateConnectionDocument,
      { input: stripeInput({ name: first!.name.toLowerCase() }) },
      withKey(owner.apiKey),
    );
    expect(onArchived.data?.createConnection).toMatchObject({ code: 'CONFLICT' });
    // Another tenant may use the same name.
    const other = await givenOrganization(world.server, 'Same names elsewhere');
    expect((await create(other, stripeInput({ name: first!.name }))).name).toBe(first!.name);
  });

  test('keep the oldest of names that clash in case, and rename the later ones after their id (migration)', async () => {
    const owner = await givenOrganization(world.server, 'Clashing names');
    const migration = await readFile(
      new URL('../../prisma/migrations/20261123153214_connections_several_per_provider/migration.sql', import.meta.url),
      'utf8',
    );
    const statements = migration
      .replace(/^--.*$/gm, '')
      .split(';')
      .map((statement) => statement.trim());
    const carryOver = statements.filter((statement) => /^(UPDATE|CREATE UNIQUE INDEX)/.test(statement));
    expect(carryOver).toHaveLength(2);
    // As the rows were before: the index did not exist.
    await world.server.prisma.$executeRawUnsafe('DROP INDEX "Connection_tenantId_lower_name_key"');
    try {
      const rows = [
        ['conn_clash1', 'Billing', 'PUBLISHED', '2026-01-01T00:00:00Z'],
        ['conn_clash2', 'BILLING', 'ARCHIVED', '2026-01-02T00:00:00Z'],
        ['conn_clash3', 'billing', 'DELETED', '2026-01-03T00:00:00Z'],
        ['conn_clash4', 'Other', 'PUBLISHED', '2026-01-04T00:00:00Z'],
      ] as const;
      for (const [id, name, status, createdAt] of rows) {
        await world.server.prisma.connection.create({
          data: {
            id,
            tenantId: owner.tenantId,
            name,
            providerType: 'S3',
            status,
            secretHints: {},
            syncConfig: {},
            settings: {},
            createdBy: 'test',
            updatedBy: 'test',
            createdAt: new Date(createdAt),
          },
        });
      }
      await world.server.prisma.$executeRawUnsafe(carryOver[0]!);
    } finally {
      await world.server.prisma.$executeRawUnsafe(carryOver[1]!);
    }
    const names = await world.server.prisma.connection.findMany({
      where: { tenantId: owner.tenantId },
      orderBy: { id: 'asc' },
      select: { name: true, healthStatus: true },
    });
    expect(names).toEqual([
      { name: 'Billing', healthStatus: 'UNKNOWN' },
      { name: 'BILLING (conn_clash2)', healthStatus: 'UNKNOWN' },
      { name: 'billing', healthStatus: 'UNKNOWN' },
      { name: 'Other', healthStatus: 'UNKNOWN' },
    ]);
  });

  test('list with filters and pages, and stay inside their tenant', async () => {
    const owner = await givenOrganization(world.server, 'Lister');
    const stripe = await create(owner, stripeInput());
    const hubspot = await create(owner, {
      name: 'CRM',
      providerType: 'HUBSPOT',
      secrets: { hubspot: { accessToken: 'pat-na1-11112222-3333', appId: '12345' } },
    });
    await create(owner, {
      name: 'Flexprice',
      providerType: 'FLEXPRICE',
      secrets: { generic: { data: { apiKey: 'fp_live_abcdefgh1234' } } },
    });
    await world.server.request(ArchiveConnectionDocument, { input: { id: hubspot.id } }, withKey(owner.apiKey));

    const page = await world.server.request(ConnectionsDocument, { first: 2 }, withKey(owner.apiKey));
    expect(page.data?.connections.totalCount).toBe(3);
    expect(page.data?.connections.pageInfo.hasNextPage).toBe(true);
    const archived = await world.server.request(ConnectionsDocument, { filter: { status: ['ARCHIVED'] } }, withKey(owner.apiKey));
    expect(archived.data?.connections.nodes.map((node) => node.id)).toEqual([hubspot.id]);
    const byProvider = await world.server.request(
      ConnectionsDocument,
      { filter: { providerType: ['STRIPE', 'S3'] } },
      withKey(owner.apiKey),
    );
    expect(byProvider.data?.connections.nodes.map((node) => node.id)).toEqual([stripe.id]);

    const stranger = await givenOrganization(world.server, 'Stranger');
    expect((await world.server.request(ConnectionsDocument, {}, withKey(stranger.apiKey))).data?.connections.totalCount).toBe(0);
    expect((await world.server.request(ConnectionDocument, { id: stripe.id }, withKey(stranger.apiKey))).data?.connection).toBeNull();
    const update = await world.server.request(
      UpdateConnectionDocument,
      { input: { id: stripe.id, name: 'mine' } },
      withKey(stranger.apiKey),
    );
    expect(update.data?.updateConnection).toMatchObject({ code: 'NOT_FOUND' });
  });

  test('are created in, and listed from, the connected account’s tenant when acting on behalf', async () => {
    const account = await world.platform.activeAccount();
    const connection = await create(world.platform, stripeInput({ name: 'On behalf' }), world.platform.actingFor(account.accountId));
    expect(connection.tenantId).toBe(account.tenantId);
    const listedOnBehalf = await world.server.request(ConnectionsDocument, {}, world.platform.actingFor(account.accountId));
    expect(listedOnBehalf.data?.connections.nodes.map((node) => node.id)).toEqual([connection.id]);
    const platformOwn = await world.server.request(ConnectionsDocument, {}, withKey(world.platform.apiKey));
    expect(platformOwn.data?.connections.nodes.map((node) => node.id)).not.toContain(connection.id);
  });

  test('are re-encrypted under a new key in batches; old data decrypts until then', async () => {
    const owner = await givenOrganization(world.server, 'Rotation');
    const ids = [];
    for (const [providerType, secrets] of [
      ['STRIPE', stripeInput().secrets],
      ['HUBSPOT', { hubspot: { accessToken: 'pat-na1-99998888-7777' } }],
      ['FLEXPRICE', { generic: { data: { token: 'fp_live_zzzzzzzz0000' } } }],
    ] as const) {
      ids.push((await create(owner, { name: providerType, providerType, secrets })).id);
    }
    const rotated = parseKeyRing(`${TEST_ENCRYPTION_KEYS},${newKeyEntry(2)}`);
    expect(await readConnectionSecrets(world.server.prisma, rotated, ids[0]!)).toMatchObject({ secretKey: STRIPE_SECRET });
    const before = await pendingReencryption(world.server.prisma, rotated);
    expect(before).toBeGreaterThanOrEqual(3);

    let batches = 0;
    while ((await reencryptBatch(world.server.prisma, rotated, 2)) > 0) batches += 1;
    expect(batches).toBe(Math.ceil(before / 2));
    expect(await pendingReencryption(world.server.prisma, rotated)).toBe(0);

    const newKeyOnly = parseKeyRing(rotated.keys.size === 2 ? newKeyEntryOf(rotated, 2) : '');
    expect(await readConnectionSecrets(world.server.prisma, newKeyOnly, ids[1]!)).toEqual({ accessToken: 'pat-na1-99998888-7777' });
    expect(await readConnectionSecrets(world.server.prisma, newKeyOnly, ids[2]!)).toEqual({ token: 'fp_live_zzzzzzzz0000' });
    await expect(readConnectionSecrets(world.server.prisma, world.server.keyRing, ids[0]!)).rejects.toThrow(/not in the key ring/);
  });
});

function newKeyEntryOf(ring: ReturnType<typeof parseKeyRing>, version: number): string {
  return `${version}:${ring.keys.get(version)!.toString('base64')}`;
}
