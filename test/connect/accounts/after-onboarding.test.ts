// A platform keeps its own fields of an account up to date, and says why it suspends or revokes one.
import { describe, expect } from 'vitest';
import { platformWorld } from '../../support/world.ts';
import {
  DisconnectPlatformDocument,
  EventsDocument,
  ReactivateConnectedAccountDocument,
  RegenerateOnboardingLinkDocument,
  RevokeConnectedAccountDocument,
  SuspendConnectedAccountDocument,
  UpdateConnectedAccountDocument,
  type UpdateConnectedAccountInput,
} from '../../generated/graphql.ts';
import { givenOAuthPlatform, givenOwnedOrganization, givenStandardAccount } from '../../support/givens/oauth.ts';
import { withKey } from '../../support/server.ts';

const { test, world } = platformWorld({}, async (seed) => {
  const platform = await seed.connectPlatform('Updating Platform');
  const otherPlatform = await seed.connectPlatform('Other Platform');
  return { platform, otherPlatform };
});

const update = (input: UpdateConnectedAccountInput, headers = withKey(world.platform.apiKey)) =>
  world.server.request(UpdateConnectedAccountDocument, { input }, headers);

const eventsOf = async (objectId: string, type: string) => {
  const response = await world.server.request(
    EventsDocument,
    { first: 50, filter: { objectId, type: [type] } },
    withKey(world.platform.apiKey),
  );
  return response.data?.events.nodes ?? expect.fail(JSON.stringify(response));
};

describe('updating a connected account', () => {
  test('changes the fields given, keeps the absent ones, clears with null, and records each change with the previous values', async () => {
    const { account } = await world.platform.expressAccount({ metadata: { plan: 'gold' }, platformCustomerId: 'cus_1' });

    const metadataOnly = await update({ id: account.id, metadata: { plan: 'platinum', seats: 5 } });
    expect(metadataOnly.data?.updateConnectedAccount).toMatchObject({
      connectedAccount: { id: account.id, metadata: { plan: 'platinum', seats: 5 }, platformCustomerId: 'cus_1', status: 'PENDING' },
    });
    const customerOnly = await update({ id: account.id, platformCustomerId: ' cus_2 ' });
    expect(customerOnly.data?.updateConnectedAccount).toMatchObject({
      connectedAccount: { metadata: { plan: 'platinum', seats: 5 }, platformCustomerId: 'cus_2' },
    });
    const cleared = await update({ id: account.id, metadata: null, platformCustomerId: null });
    expect(cleared.data?.updateConnectedAccount).toMatchObject({ connectedAccount: { metadata: null, platformCustomerId: null } });

    const events = await eventsOf(account.id, 'connected_account.updated');
    expect(events.map((event) => [event.data.previous, event.actor])).toEqual([
      [
        { platformCustomerId: 'cus_2', metadata: { plan: 'platinum', seats: 5 } },
        { type: 'API_KEY', id: world.platform.apiKeyId },
      ],
      [{ platformCustomerId: 'cus_1' }, { type: 'API_KEY', id: world.platform.apiKeyId }],
      [{ metadata: { plan: 'gold' } }, { type: 'API_KEY', id: world.platform.apiKeyId }],
    ]);
    expect(events[0]?.data.object).toMatchObject({ id: account.id, metadata: null, platformCustomerId: null });

    const unchanged = await update({ id: account.id, metadata: null });
    expect(unchanged.data?.updateConnectedAccount.__typename).toBe('UpdateConnectedAccountPayload');
    expect(await eventsOf(account.id, 'connected_account.updated')).toHaveLength(3);
  });

  test('works on ACTIVE and SUSPENDED accounts, and refuses a REVOKED one (final) with INVALID_STATE, changing nothing', async () => {
    const { accountId } = await world.platform.activeAccount();
    expect((await update({ id: accountId, platformCustomerId: 'cus_active' })).data?.updateConnectedAccount).toMatchObject({
      connectedAccount: { status: 'ACTIVE' },
    });
    await world.server.request(SuspendConnectedAccountDocument, { input: { id: accountId } }, withKey(world.platform.apiKey));
    expect((await update({ id: accountId, metadata: { note: 'on hold' } })).data?.updateConnectedAccount).toMatchObject({
      connectedAccount: { status: 'SUSPENDED', metadata: { note: 'on hold' } },
    });
    await world.server.request(RevokeConnectedAccountDocument, { input: { id: accountId } }, withKey(world.platform.apiKey));
    const refused = await update({ id: accountId, metadata: { note: 'after' } });
    expect(refused.data?.updateConnectedAccount).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE' });
    const stored = await world.server.prisma.connectedAccount.findUniqueOrThrow({ where: { id: accountId } });
    expect(stored.metadata).toEqual({ note: 'on hold' });
  });

  test('validates metadata and platformCustomerId like createConnectedAccount', async () => {
    const { account } = await world.platform.expressAccount();
    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`k${index}`, index]));
    const cases = [
      [{ metadata: tooMany }, 'input.metadata'],
      [{ metadata: { blob: 'x'.repeat(9000) } }, 'input.metadata'],
      [{ platformCustomerId: 'c'.repeat(256) }, 'input.platformCustomerId'],
      [{ platformCustomerId: 'cus\u202Egnp' }, 'input.platformCustomerId'],
    ] as const;
    for (const [input, field] of cases) {
      const response = await update({ id: account.id, ...input });
      expect(response.data?.updateConnectedAccount, field).toMatchObject({ __typename: 'ValidationError', fields: [field] });
    }
  });

  test("answers NOT_FOUND for another platform's account and an unknown id, and FORBIDDEN while acting on behalf", async () => {
    const { account } = await world.otherPlatform.expressAccount({ platformCustomerId: 'theirs' });
    for (const id of [account.id, 'cacc_doesnotexist']) {
      expect((await update({ id, platformCustomerId: 'mine' })).data?.updateConnectedAccount).toMatchObject({
        __typename: 'NotFoundError',
        code: 'NOT_FOUND',
      });
    }
    const active = await world.platform.activeAccount();
    const acting = await update({ id: active.accountId, platformCustomerId: 'self' }, world.platform.actingFor(active.accountId));
    expect(acting.status).toBe(403);
    expect(acting.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const regenerate = await world.server.request(
      RegenerateOnboardingLinkDocument,
      { input: { connectedAccountId: active.accountId, returnUrl: 'https://platform.example/x' } },
      world.platform.actingFor(active.accountId),
    );
    expect(regenerate.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await world.server.prisma.connectedAccount.findUniqueOrThrow({ where: { id: account.id } })).platformCustomerId).toBe('theirs');
  });
});

describe('why an account is suspended or revoked', () => {
  test('keeps the reason given as statusReason, shows it in the events, and clears it on reactivation', async () => {
    const { accountId } = await world.platform.activeAccount();
    const suspended = await world.server.request(
      SuspendConnectedAccountDocument,
      { input: { id: accountId, reason: 'FRAUD' } },
      withKey(world.platform.apiKey),
    );
    expect(suspended.data?.suspendConnectedAccount).toMatchObject({ connectedAccount: { status: 'SUSPENDED', statusReason: 'FRAUD' } });

    const reactivated = await world.server.request(
      ReactivateConnectedAccountDocument,
      { input: { id: accountId } },
      withKey(world.platform.apiKey),
    );
    expect(reactivated.data?.reactivateConnectedAccount).toMatchObject({ connectedAccount: { status: 'ACTIVE', statusReason: null } });

    const revoked = await world.server.request(
      RevokeConnectedAccountDocument,
      { input: { id: accountId, reason: 'TERMS_OF_SERVICE' } },
      withKey(world.platform.apiKey),
    );
    expect(revoked.data?.revokeConnectedAccount).toMatchObject({
      connectedAccount: { status: 'REVOKED', statusReason: 'TERMS_OF_SERVICE' },
    });

    const [suspension] = await eventsOf(accountId, 'connected_account.suspended');
    expect(suspension?.data).toMatchObject({
      object: { status: 'SUSPENDED', statusReason: 'FRAUD' },
      previous: { status: 'ACTIVE', statusReason: null },
    });
    const [reactivation] = await eventsOf(accountId, 'connected_account.reactivated');
    expect(reactivation?.data).toMatchObject({ object: { statusReason: null }, previous: { statusReason: 'FRAUD' } });
    const [revocation] = await eventsOf(accountId, 'connected_account.revoked');
    expect(revocation?.data).toMatchObject({ object: { status: 'REVOKED', statusReason: 'TERMS_OF_SERVICE' } });
  });

  test('is null when none is given, and REQUESTED_BY_ACCOUNT when the organization disconnects the platform', async () => {
    const { account } = await world.platform.expressAccount();
    const revoked = await world.server.request(
      RevokeConnectedAccountDocument,
      { input: { id: account.id } },
      withKey(world.platform.apiKey),
    );
    expect(revoked.data?.revokeConnectedAccount).toMatchObject({ connectedAccount: { status: 'REVOKED', statusReason: null } });

    const oauthPlatform = await givenOAuthPlatform(world.server, 'OAuth Platform');
    const owner = await givenOwnedOrganization(world.server);
    const standard = await givenStandardAccount(world.server, oauthPlatform, owner);
    const disconnected = await world.server.request(
      DisconnectPlatformDocument,
      { input: { connectedAccountId: standard.accountId } },
      withKey(owner.apiKey),
    );
    expect(disconnected.data?.disconnectPlatform.__typename).toBe('DisconnectPlatformPayload');
    expect(await world.server.prisma.connectedAccount.findUniqueOrThrow({ where: { id: standard.accountId } })).toMatchObject({
      status: 'REVOKED',
      statusReason: 'REQUESTED_BY_ACCOUNT',
    });
  });

  test('refuses an unknown reason before anything changes', async () => {
    const { accountId } = await world.platform.activeAccount();
    const response = await world.server.request(
      SuspendConnectedAccountDocument,
      { input: { id: accountId, reason: 'BORED' as 'OTHER' } },
      withKey(world.platform.apiKey),
    );
    expect(response.status).toBe(400);
    expect((await world.server.prisma.connectedAccount.findUniqueOrThrow({ where: { id: accountId } })).status).toBe('ACTIVE');
  });
});
