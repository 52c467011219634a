// An attacker's tries at what issue 15 added: the sub-account lifecycle and keys. Each test is an attack and now a regression test:
// those that got through at first say so where they are (each fixed), the others are refusals that
// held from the start.
import { describe, expect } from 'vitest';
import { recordEvent } from '../../src/events/record.ts';
import { JITTER, RETRY_SCHEDULE_MS } from '../../src/webhooks/schedule.ts';
import { startStripe } from '../connections/stand-ins/providers.ts';
import { CREATE_CONNECTION, givenStripeConnection, stripeInput } from '../support/givens/connections.ts';
import { CREATE_SUB_ACCOUNT, givenPurpose, givenSubAccount, subAccountInput } from '../support/givens/sub-accounts.ts';
import { givenEndpoint } from '../support/givens/webhooks.ts';
import { withKey } from '../support/server.ts';
import { outcome, untypedRequest } from '../support/untyped-graphql.ts';
import { platformWorld } from '../support/world.ts';
import { startReceiver } from '../webhooks/receiver.ts';

const { test, world } = platformWorld({}, async (seed) => {
  const platform = await seed.connectPlatform('Attacked Platform');
  const stranger = await seed.connectPlatform('Attacker Platform');
  const purposeId = await givenPurpose(seed.server, platform, 'Employment screening');
  const strangerPurposeId = await givenPurpose(seed.server, stranger, 'Tenant screening');
  return { platform, stranger, purposeId, strangerPurposeId };
});

const gql = (query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  untypedRequest(world.server, query, variables, headers);

describe('sub-accounts', () => {
  test("another platform cannot deactivate, reactivate, key, rotate or revoke my sub-account's keys", async () => {
    const sub = await givenSubAccount(world.server, world.platform.apiKey, subAccountInput({ permissiblePurposeIds: [world.purposeId] }));
    const id = sub.subAccount.id;
    const keyId = sub.apiKey!.id;
    const as = withKey(world.stranger.apiKey);
    const tries: [string, string, Record<string, unknown>][] = [
      [
        'deactivateSubAccount',
        `mutation($id: ID!) { deactivateSubAccount(input: { id: $id }) { __typename ... on Error { code } } }`,
        { id },
      ],
      [
        'reactivateSubAccount',
        `mutation($id: ID!) { reactivateSubAccount(input: { id: $id }) { __typename ... on Error { code } } }`,
        { id },
      ],
      [
        'createSubAccountApiKey',
        `mutation($id: ID!) { createSubAccountApiKey(input: { subAccountId: $id, name: "x" }) { __typename ... on Error { code } } }`,
        { id },
      ],
      [
        'rotateSubAccountApiKey',
        `mutation($id: ID!) { rotateSubAccountApiKey(input: { subAccountId: $id }) { __typename ... on Error { code } } }`,
        { id },
      ],
      [
        'revokeSubAccountApiKey',
        `mutation($id: ID!) { revokeSubAccountApiKey(input: { id: $id }) { __typename ... on Error { code } } }`,
        { id: keyId },
      ],
      [
        'updateSubAccount',
        `mutation($id: ID!, $p: [ID!]) { updateSubAccount(input: { id: $id, permissiblePurposeIds: $p }) { __typename ... on Error { code } } }`,
        { id, p: [world.strangerPurposeId] },
      ],
    ];
    for (const [field, mutation, variables] of tries) {
      expect(outcome(await gql(mutation, variables, as), field), field).toBe('NOT_FOUND');
    }
    // Nor does the platform reach its own (non-sub-account) keys through revokeSubAccountApiKey.
    const own = await gql(
      `mutation($id: ID!) { revokeSubAccountApiKey(input: { id: $id }) { __typename ... on Error { code } } }`,
      { id: world.stranger.apiKeyId },
      as,
    );
    expect(outcome(own, 'revokeSubAccountApiKey')).toBe('NOT_FOUND');
    const row = await world.server.prisma.subAccount.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe('ACTIVE');
    expect(await world.server.prisma.apiKey.count({ where: { tenantId: row.tenantId, revokedAt: null } })).toBe(1);
    expect((await gql(`{ viewer { apiKeyId } }`, {}, withKey(sub.apiKey!.secret!))).status).toBe(200);
  });

  test('named keys refuse weird names, and a key named with another sub-account is NOT_FOUND', async () => {
    const first = await givenSubAccount(world.server, world.platform.apiKey, subAccountInput({ permissiblePurposeIds: [world.purposeId] }));
    const second = await givenSubAccount(
      world.server,
      world.platform.apiKey,
      subAccountInput({ permissiblePurposeIds: [world.purposeId] }),
    );
    const named = (name: string) =>
      gql(
        `mutation($id: ID!, $n: String!) { createSubAccountApiKey(input: { subAccountId: $id, name: $n }) { __typename ... on Error { code } } }`,
        { id: first.subAccount.id, n: name },
        withKey(world.platform.apiKey),
      );
    for (const name of ['', '   ', 'tab\tname', 'nul\u0000', 'x'.repeat(101), '\u202Egnp.exe']) {
      expect(outcome(await named(name), 'createSubAccountApiKey'), JSON.stringify(name)).toBe('VALIDATION');
    }
    const mismatched = await gql(
      `mutation($id: ID!, $sub: ID!) { revokeSubAccountApiKey(input: { id: $id, subAccountId: $sub }) { __typename ... on Error { code } } }`,
      { id: first.apiKey!.id, sub: second.subAccount.id },
      withKey(world.platform.apiKey),
    );
    expect(outcome(mismatched, 'revokeSubAccountApiKey')).toBe('NOT_FOUND');
    expect((await world.server.prisma.apiKey.findUniqueOrThrow({ where: { id: first.apiKey!.id } })).revokedAt).toBeNull();
  });

  test("a sub-account key cannot revoke its platform's keys, nor learn its siblings' names", async () => {
    const sibling = await givenSubAccount(
      world.server,
      world.platform.apiKey,
      subAccountInput({ permissiblePurposeIds: [world.purposeId] }, { accountName: 'Secret Sibling' }),
    );
    const sub = await givenSubAccount(world.server, world.platform.apiKey, subAccountInput({ permissiblePurposeIds: [world.purposeId] }));
    const as = withKey(sub.apiKey!.secret!);
    const revoke = await gql(
      `mutation($id: ID!) { revokeSubAccountApiKey(input: { id: $id }) { __typename ... on Error { code } } }`,
      { id: world.platform.apiKeyId },
      as,
    );
    expect(revoke.errors?.[0]?.extensions?.code ?? outcome(revoke, 'revokeSubAccountApiKey')).toMatch(/FORBIDDEN|NOT_FOUND/);
    expect((await world.server.prisma.apiKey.findUniqueOrThrow({ where: { id: world.platform.apiKeyId } })).revokedAt).toBeNull();
    const rename = (accountName: string) =>
      gql(
        `mutation($id: ID!, $n: String) { updateSubAccount(input: { id: $id, accountName: $n }) { __typename ... on Error { code message } } }`,
        { id: sub.subAccount.id, n: accountName },
        as,
      );
    const [taken, free] = [await rename('secret sibling'), await rename('No Such Sibling 42')];
    expect(JSON.stringify(taken.data).replace('secret sibling', 'X')).toBe(JSON.stringify(free.data).replace('No Such Sibling 42', 'X'));
    const listed = await gql(
      `{ subAccounts(first: 50) { totalCount nodes { id accountName } } node(id: "${sibling.subAccount.id}") { id } }`,
      {},
      as,
    );
    expect(JSON.stringify(listed)).not.toContain('Secret Sibling');
    expect(listed.data?.node).toBeNull();
  });

  test("a deactivated sub-account's key is refused, cached or not, and an Idempotency-Key does not replay its earlier answer", async () => {
    const sub = await givenSubAccount(world.server, world.platform.apiKey, subAccountInput({ permissiblePurposeIds: [world.purposeId] }));
    const stripe = await startStripe([]);
    try {
      const key = { ...withKey(sub.apiKey!.secret!), 'idempotency-key': 'replay-me-0001' };
      const variables = { input: stripeInput(stripe.url, 'sk_test_SubAccountSecret0001') };
      const first = await gql(CREATE_CONNECTION, variables, key);
      expect(outcome(first, 'createConnection')).toBe('CreateConnectionPayload');
      // Cached now; deactivated by its platform.
      expect((await gql(`{ viewer { apiKeyId } }`, {}, withKey(sub.apiKey!.secret!))).status).toBe(200);
      const off = await gql(
        `mutation($id: ID!) { deactivateSubAccount(input: { id: $id, reason: FRAUD }) { __typename } }`,
        { id: sub.subAccount.id },
        withKey(world.platform.apiKey),
      );
      expect(outcome(off, 'deactivateSubAccount')).toBe('DeactivateSubAccountPayload');
      const replay = await gql(CREATE_CONNECTION, variables, key);
      expect(replay.status).toBe(403);
      expect(replay.errors?.[0]?.extensions?.code).toBe('SUB_ACCOUNT_DEACTIVATED');
      expect(replay.headers.get('idempotent-replayed')).toBeNull();
      expect(JSON.stringify(replay)).not.toContain(first.data!.createConnection.connection.id);
      const read = await gql(`{ viewer { apiKeyId } }`, {}, withKey(sub.apiKey!.secret!));
      expect(read.errors?.[0]?.extensions?.code).toBe('SUB_ACCOUNT_DEACTIVATED');
      // Deactivated: no fresh key through createSubAccount with its name, nor named keys.
      const again = await gql(
        CREATE_SUB_ACCOUNT,
        { input: subAccountInput({ permissiblePurposeIds: [world.purposeId] }, { accountName: sub.subAccount.accountName ?? '' }) },
        withKey(world.platform.apiKey),
      );
      expect(JSON.stringify(again)).not.toMatch(/"secret":"[^"]/);
    } finally {
      await stripe.close();
    }
  });

  // Fixed (was a low finding: a deactivated sub-account kept receiving its tenant's events through its
  // webhook endpoints, and its connections kept being re-verified). Now nothing is queued for the
  // endpoints of a deactivated sub-account's tenant (src/events/record.ts), what was queued before
  // waits and is sent once it is reactivated (src/webhooks/worker.ts), and the background
  // re-verification skips its connections (src/connections/reverification.ts).
  test("a deactivated sub-account's webhook endpoints receive nothing new", async () => {
    const sub = await givenSubAccount(world.server, world.platform.apiKey, subAccountInput({ permissiblePurposeIds: [world.purposeId] }));
    const secretKey = 'sk_test_DeactivatedHook0001';
    const stripe = await startStripe([secretKey]);
    let failing = false;
    const hooks = await startReceiver(() => ({ status: failing ? 500 : 204 }));
    try {
      const as = withKey(sub.apiKey!.secret!);
      await givenEndpoint(world.server, as, { url: hooks.url, eventTypes: ['*'] });
      const connectionId = await givenStripeConnection(world.server, as, stripe.url, secretKey);
      await world.server.webhooks.deliverDue();
      // Queued before the deactivation, and not delivered yet: its first attempt failed, its retry waits.
      failing = true;
      const waiting = await givenStripeConnection(world.server, as, stripe.url, secretKey);
      await world.server.webhooks.deliverDue();
      expect(hooks.receipts.at(-1)?.event.type).toBe('connection.created');
      failing = false;
      const before = hooks.receipts.length;
      const checksBefore = stripe.requests.filter(({ headers }) => headers.authorization === `Bearer ${secretKey}`).length;
      const off = await gql(
        `mutation($id: ID!) { deactivateSubAccount(input: { id: $id, reason: FRAUD }) { __typename } }`,
        { id: sub.subAccount.id },
        withKey(world.platform.apiKey),
      );
      expect(outcome(off, 'deactivateSubAccount')).toBe('DeactivateSubAccountPayload');
      // An event of its tenant while deactivated: no delivery for its endpoint, ever.
      const place = {
        organizationId: sub.subAccount.organizationId ?? '',
        tenantId: sub.subAccount.tenantId ?? '',
        connectedAccountId: null,
        platformOrganizationId: null,
      };
      const meanwhile = await recordEvent(world.server.prisma, {
        type: 'connection.updated',
        objectId: connectionId,
        data: { object: {} },
        place,
        actor: { type: 'SYSTEM' },
      });
      expect(await world.server.prisma.webhookDelivery.count({ where: { eventId: meanwhile.id } })).toBe(0);
      await world.server.connectionChecks.deliverDue();
      world.server.clock.advance(RETRY_SCHEDULE_MS[0]! * (1 + JITTER) + 1_000);
      await world.server.webhooks.deliverDue();
      expect(hooks.receipts.slice(before).map((receipt) => receipt.event.type)).toEqual([]);
      expect(stripe.requests.filter(({ headers }) => headers.authorization === `Bearer ${secretKey}`)).toHaveLength(checksBefore);
      expect((await world.server.prisma.connection.findUniqueOrThrow({ where: { id: connectionId } })).lastVerifiedAt).toBeNull();
      // Reactivated: what waited is sent, and nothing of what happened meanwhile.
      const on = await gql(
        `mutation($id: ID!) { reactivateSubAccount(input: { id: $id }) { __typename } }`,
        { id: sub.subAccount.id },
        withKey(world.platform.apiKey),
      );
      expect(outcome(on, 'reactivateSubAccount')).toBe('ReactivateSubAccountPayload');
      await world.server.webhooks.deliverDue();
      const sent = hooks.receipts.slice(before).map((receipt) => receipt.event);
      expect(sent.map((event) => [event.type, (event.data.object as { id: string }).id])).toEqual([['connection.created', waiting]]);
    } finally {
      await Promise.all([stripe.close(), hooks.close()]);
    }
  });

  test('an archived purpose is not newly assigned through a package, directly or by update', async () => {
    const kept = await givenPurpose(world.server, world.platform, 'Kept purpose');
    const doomed = await givenPurpose(world.server, world.platform, 'Doomed purpose');
    const pack = await gql(
      `mutation($p: [ID!]!) { createAccountPackage(input: { name: "Bundle", permissiblePurposeIds: $p }) { __typename ... on CreateAccountPackagePayload { accountPackage { id } } } }`,
      { p: [kept, doomed] },
      withKey(world.platform.apiKey),
    );
    const packageId = pack.data!.createAccountPackage.accountPackage.id as string;
    await gql(
      `mutation($id: ID!) { archivePermissiblePurpose(input: { id: $id }) { __typename } }`,
      { id: doomed },
      withKey(world.platform.apiKey),
    );
    const made = await givenSubAccount(world.server, world.platform.apiKey, subAccountInput({ accountPackageIds: [packageId] }));
    const purposes = await world.server.prisma.subAccountPurpose.findMany({ where: { subAccountId: made.subAccount.id } });
    expect(purposes.map((link) => link.permissiblePurposeId)).toEqual([kept]);
    const update = await gql(
      `mutation($id: ID!, $p: [ID!]) { updateSubAccount(input: { id: $id, permissiblePurposeIds: $p }) { __typename ... on Error { code } } }`,
      { id: made.subAccount.id, p: [kept, doomed] },
      withKey(world.platform.apiKey),
    );
    expect(outcome(update, 'updateSubAccount')).toBe('VALIDATION');
  });
});
