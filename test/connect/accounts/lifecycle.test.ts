import { describe, expect } from 'vitest';
import { platformWorld } from '../../support/world.ts';
import {
  CompleteOnboardingDocument,
  ConnectedAccountDocument,
  ConnectedAccountsDocument,
  NodeDocument,
  OnboardingSessionDocument,
  ReactivateConnectedAccountDocument,
  RegenerateOnboardingLinkDocument,
  RevokeConnectedAccountDocument,
  SuspendConnectedAccountDocument,
} from '../../generated/graphql.ts';
import { givenActiveAccount, givenConnectPlatform, givenExpressAccount, onboardingForm } from '../../support/givens/connect.ts';
import { withKey } from '../../support/server.ts';

const { test, world } = platformWorld({}, async (seed) => {
  const platform = await seed.connectPlatform('Lifecycle Platform');
  const otherPlatform = await seed.connectPlatform('Other Platform');
  return { platform, otherPlatform };
});

const suspend = (id: string, key = world.platform.apiKey) =>
  world.server.request(SuspendConnectedAccountDocument, { input: { id } }, withKey(key));
const reactivate = (id: string) =>
  world.server.request(ReactivateConnectedAccountDocument, { input: { id } }, withKey(world.platform.apiKey));
const revoke = (id: string) => world.server.request(RevokeConnectedAccountDocument, { input: { id } }, withKey(world.platform.apiKey));

describe('the lifecycle of a connected account', () => {
  test('goes ACTIVE → SUSPENDED → ACTIVE → REVOKED, recording each step with who did it', async () => {
    const { accountId } = await world.platform.activeAccount();
    const suspended = await suspend(accountId);
    expect(suspended.data?.suspendConnectedAccount).toMatchObject({ connectedAccount: { status: 'SUSPENDED' } });
    if (suspended.data?.suspendConnectedAccount.__typename !== 'SuspendConnectedAccountPayload') return expect.fail();
    expect(suspended.data.suspendConnectedAccount.connectedAccount.suspendedAt).not.toBeNull();

    expect((await reactivate(accountId)).data?.reactivateConnectedAccount).toMatchObject({
      connectedAccount: { status: 'ACTIVE', suspendedAt: null },
    });
    const revoked = await revoke(accountId);
    expect(revoked.data?.revokeConnectedAccount).toMatchObject({ connectedAccount: { status: 'REVOKED' } });

    const read = await world.server.request(ConnectedAccountDocument, { id: accountId }, withKey(world.platform.apiKey));
    const account = read.data?.connectedAccount ?? expect.fail('account not readable');
    expect(account.revokedAt).not.toBeNull();
    expect(account.connectedOrganizationId).not.toBeNull();
    expect(account.events.nodes.map((event) => [event.type, event.fromStatus, event.toStatus])).toEqual([
      ['CREATED', null, 'PENDING'],
      ['ONBOARDING_LINK_CREATED', 'PENDING', 'PENDING'],
      ['ONBOARDING_COMPLETED', 'PENDING', 'ACTIVE'],
      ['SUSPENDED', 'ACTIVE', 'SUSPENDED'],
      ['REACTIVATED', 'SUSPENDED', 'ACTIVE'],
      ['REVOKED', 'ACTIVE', 'REVOKED'],
    ]);
    expect(account.events.nodes.at(-1)?.actorApiKeyId).toBe(world.platform.apiKeyId);
    expect(account.events.nodes[2]?.actorUserId).toMatch(/^usr_/);

    // Revocation keeps the connected organization's data.
    expect(await world.server.prisma.organization.count({ where: { id: account.connectedOrganizationId! } })).toBe(1);
  });

  test('answers INVALID_STATE for every transition the lifecycle forbids, changing nothing', async () => {
    const pending = (await world.platform.expressAccount()).account.id;
    const active = (await world.platform.activeAccount()).accountId;
    const revoked = (await world.platform.activeAccount()).accountId;
    await revoke(revoked);

    const forbidden: [string, () => Promise<{ data?: object | null }>][] = [
      ['suspend PENDING', () => suspend(pending)],
      ['reactivate PENDING', () => reactivate(pending)],
      ['reactivate ACTIVE', () => reactivate(active)],
      ['suspend REVOKED', () => suspend(revoked)],
      ['reactivate REVOKED', () => reactivate(revoked)],
      ['revoke REVOKED', () => revoke(revoked)],
    ];
    for (const [name, attempt] of forbidden) {
      const response = await attempt();
      const result = Object.values(response.data ?? {})[0];
      expect(result, name).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE' });
    }
    const regenerate = await world.server.request(
      RegenerateOnboardingLinkDocument,
      { input: { connectedAccountId: active } },
      withKey(world.platform.apiKey),
    );
    expect(regenerate.data?.regenerateOnboardingLink).toMatchObject({ code: 'INVALID_STATE' });

    const statuses = await world.server.prisma.connectedAccount.findMany({
      where: { id: { in: [pending, active, revoked] } },
      orderBy: { createdAt: 'asc' },
    });
    expect(statuses.map((account) => account.status)).toEqual(['PENDING', 'ACTIVE', 'REVOKED']);
  });

  test('revokes a PENDING account and invalidates its link at once', async () => {
    const { account, token } = await world.platform.expressAccount();
    expect((await revoke(account.id)).data?.revokeConnectedAccount).toMatchObject({ connectedAccount: { status: 'REVOKED' } });
    expect((await world.server.request(OnboardingSessionDocument, { token })).data?.onboardingSession).toMatchObject({
      code: 'LINK_INVALID',
    });
    const completion = await world.server.request(CompleteOnboardingDocument, { input: onboardingForm(token) });
    expect(completion.data?.completeOnboarding).toMatchObject({ code: 'LINK_INVALID' });
  });

  test('treats another platform’s account exactly like one that does not exist', async () => {
    const foreign = await world.otherPlatform.activeAccount();
    expect((await suspend(foreign.accountId)).data?.suspendConnectedAccount).toMatchObject({ code: 'NOT_FOUND' });
    expect((await suspend('cacc_doesnotexist')).data?.suspendConnectedAccount).toMatchObject({ code: 'NOT_FOUND' });
    const foreignPending = await world.otherPlatform.expressAccount();
    const regenerate = await world.server.request(
      RegenerateOnboardingLinkDocument,
      { input: { connectedAccountId: foreignPending.account.id } },
      withKey(world.platform.apiKey),
    );
    expect(regenerate.data?.regenerateOnboardingLink).toMatchObject({ code: 'NOT_FOUND' });
    expect(
      (await world.server.request(OnboardingSessionDocument, { token: foreignPending.token })).data?.onboardingSession.__typename,
    ).toBe('OnboardingSession');
    const read = await world.server.request(ConnectedAccountDocument, { id: foreign.accountId }, withKey(world.platform.apiKey));
    expect(read.data?.connectedAccount).toBeNull();
    const node = await world.server.request(NodeDocument, { id: foreign.accountId }, withKey(world.platform.apiKey));
    expect(node.data?.node).toBeNull();
    const own = await world.server.request(NodeDocument, { id: foreign.accountId }, withKey(world.otherPlatform.apiKey));
    expect(own.data?.node).toEqual({ __typename: 'ConnectedAccount', id: foreign.accountId });
  });
});

describe('listing connected accounts', () => {
  test('pages with cursors and filters by status, type, platform customer id and creation time', async () => {
    const lister = await givenConnectPlatform(world.server, 'Listing Platform');
    const created = [];
    for (const customer of ['cus_a', 'cus_b', 'cus_c'])
      created.push((await givenExpressAccount(world.server, lister, { platformCustomerId: customer })).account);
    const active = await givenActiveAccount(world.server, lister);

    const first = await world.server.request(ConnectedAccountsDocument, { first: 2 }, withKey(lister.apiKey));
    expect(first.data?.connectedAccounts.totalCount).toBe(4);
    expect(first.data?.connectedAccounts.nodes.map((node) => node.id)).toEqual([created[0]!.id, created[1]!.id]);
    const second = await world.server.request(
      ConnectedAccountsDocument,
      { first: 2, after: first.data?.connectedAccounts.pageInfo.endCursor },
      withKey(lister.apiKey),
    );
    expect(second.data?.connectedAccounts.nodes.map((node) => node.id)).toEqual([created[2]!.id, active.accountId]);
    expect(second.data?.connectedAccounts.pageInfo.hasNextPage).toBe(false);

    const newestFirst = await world.server.request(
      ConnectedAccountsDocument,
      { first: 1, orderBy: { field: 'CREATED_AT', direction: 'DESC' } },
      withKey(lister.apiKey),
    );
    expect(newestFirst.data?.connectedAccounts.nodes[0]?.id).toBe(active.accountId);

    const activeOnly = await world.server.request(ConnectedAccountsDocument, { filter: { status: ['ACTIVE'] } }, withKey(lister.apiKey));
    expect(activeOnly.data?.connectedAccounts.nodes.map((node) => node.id)).toEqual([active.accountId]);
    const byCustomer = await world.server.request(
      ConnectedAccountsDocument,
      { filter: { platformCustomerId: 'cus_b' } },
      withKey(lister.apiKey),
    );
    expect(byCustomer.data?.connectedAccounts.nodes.map((node) => node.id)).toEqual([created[1]!.id]);
    const standard = await world.server.request(
      ConnectedAccountsDocument,
      { filter: { connectionType: ['STANDARD'] } },
      withKey(lister.apiKey),
    );
    expect(standard.data?.connectedAccounts.totalCount).toBe(0);
    const future = await world.server.request(
      ConnectedAccountsDocument,
      { filter: { createdAt: { gt: new Date(Date.now() + 60_000).toISOString() } } },
      withKey(lister.apiKey),
    );
    expect(future.data?.connectedAccounts.totalCount).toBe(0);
    const past = await world.server.request(
      ConnectedAccountsDocument,
      { filter: { createdAt: { lte: new Date(Date.now() + 60_000).toISOString() } } },
      withKey(lister.apiKey),
    );
    expect(past.data?.connectedAccounts.totalCount).toBe(4);

    // first is capped at 100, not refused.
    const tooMany = await world.server.request(ConnectedAccountsDocument, { first: 500 }, withKey(lister.apiKey));
    expect(tooMany.errors).toBeUndefined();
    expect(tooMany.data?.connectedAccounts.nodes).toHaveLength(4);
  });
});
