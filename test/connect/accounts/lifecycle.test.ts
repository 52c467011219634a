import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import type { OrganizationFixture } from '../../support/givens/organizations.ts';
import { startTestServer, withKey, type TestServer } from '../../support/server.ts';

let server: TestServer;
let platform: OrganizationFixture;
let otherPlatform: OrganizationFixture;

beforeAll(async () => {
  server = await startTestServer();
  platform = await givenConnectPlatform(server, 'Lifecycle Platform');
  otherPlatform = await givenConnectPlatform(server, 'Other Platform');
});
afterAll(() => server?.close());

const suspend = (id: string, key = platform.apiKey) => server.request(SuspendConnectedAccountDocument, { input: { id } }, withKey(key));
const reactivate = (id: string) => server.request(ReactivateConnectedAccountDocument, { input: { id } }, withKey(platform.apiKey));
const revoke = (id: string) => server.request(RevokeConnectedAccountDocument, { input: { id } }, withKey(platform.apiKey));

describe('the lifecycle of a connected account', () => {
  it('goes ACTIVE → SUSPENDED → ACTIVE → REVOKED, recording each step with who did it', async () => {
    const { accountId } = await givenActiveAccount(server, platform);
    const suspended = await suspend(accountId);
    expect(suspended.data?.suspendConnectedAccount).toMatchObject({ connectedAccount: { status: 'SUSPENDED' } });
    if (suspended.data?.suspendConnectedAccount.__typename !== 'SuspendConnectedAccountPayload') return expect.fail();
    expect(suspended.data.suspendConnectedAccount.connectedAccount.suspendedAt).not.toBeNull();

    expect((await reactivate(accountId)).data?.reactivateConnectedAccount).toMatchObject({
      connectedAccount: { status: 'ACTIVE', suspendedAt: null },
    });
    const revoked = await revoke(accountId);
    expect(revoked.data?.revokeConnectedAccount).toMatchObject({ connectedAccount: { status: 'REVOKED' } });

    const read = await server.request(ConnectedAccountDocument, { id: accountId }, withKey(platform.apiKey));
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
    expect(account.events.nodes.at(-1)?.actorApiKeyId).toBe(platform.apiKeyId);
    expect(account.events.nodes[2]?.actorUserId).toMatch(/^usr_/);

    // Revocation keeps the connected organization's data.
    expect(await server.prisma.organization.count({ where: { id: account.connectedOrganizationId! } })).toBe(1);
  });

  it('answers INVALID_STATE for every transition the lifecycle forbids, changing nothing', async () => {
    const pending = (await givenExpressAccount(server, platform)).account.id;
    const active = (await givenActiveAccount(server, platform)).accountId;
    const revoked = (await givenActiveAccount(server, platform)).accountId;
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
    const regenerate = await server.request(
      RegenerateOnboardingLinkDocument,
      { input: { connectedAccountId: active } },
      withKey(platform.apiKey),
    );
    expect(regenerate.data?.regenerateOnboardingLink).toMatchObject({ code: 'INVALID_STATE' });

    const statuses = await server.prisma.connectedAccount.findMany({
      where: { id: { in: [pending, active, revoked] } },
      orderBy: { createdAt: 'asc' },
    });
    expect(statuses.map((account) => account.status)).toEqual(['PENDING', 'ACTIVE', 'REVOKED']);
  });

  it('revokes a PENDING account and invalidates its link at once', async () => {
    const { account, token } = await givenExpressAccount(server, platform);
    expect((await revoke(account.id)).data?.revokeConnectedAccount).toMatchObject({ connectedAccount: { status: 'REVOKED' } });
    expect((await server.request(OnboardingSessionDocument, { token })).data?.onboardingSession).toMatchObject({ code: 'LINK_INVALID' });
    const completion = await server.request(CompleteOnboardingDocument, { input: onboardingForm(token) });
    expect(completion.data?.completeOnboarding).toMatchObject({ code: 'LINK_INVALID' });
  });

  it('treats another platform’s account exactly like one that does not exist', async () => {
    const foreign = await givenActiveAccount(server, otherPlatform);
    expect((await suspend(foreign.accountId)).data?.suspendConnectedAccount).toMatchObject({ code: 'NOT_FOUND' });
    expect((await suspend('cacc_doesnotexist')).data?.suspendConnectedAccount).toMatchObject({ code: 'NOT_FOUND' });
    const foreignPending = await givenExpressAccount(server, otherPlatform);
    const regenerate = await server.request(
      RegenerateOnboardingLinkDocument,
      { input: { connectedAccountId: foreignPending.account.id } },
      withKey(platform.apiKey),
    );
    expect(regenerate.data?.regenerateOnboardingLink).toMatchObject({ code: 'NOT_FOUND' });
    expect((await server.request(OnboardingSessionDocument, { token: foreignPending.token })).data?.onboardingSession.__typename).toBe(
      'OnboardingSession',
    );
    const read = await server.request(ConnectedAccountDocument, { id: foreign.accountId }, withKey(platform.apiKey));
    expect(read.data?.connectedAccount).toBeNull();
    const node = await server.request(NodeDocument, { id: foreign.accountId }, withKey(platform.apiKey));
    expect(node.data?.node).toBeNull();
    const own = await server.request(NodeDocument, { id: foreign.accountId }, withKey(otherPlatform.apiKey));
    expect(own.data?.node).toEqual({ __typename: 'ConnectedAccount', id: foreign.accountId });
  });
});

describe('listing connected accounts', () => {
  it('pages with cursors and filters by status, type, platform customer id and creation time', async () => {
    const lister = await givenConnectPlatform(server, 'Listing Platform');
    const created = [];
    for (const customer of ['cus_a', 'cus_b', 'cus_c'])
      created.push((await givenExpressAccount(server, lister, { platformCustomerId: customer })).account);
    const active = await givenActiveAccount(server, lister);

    const first = await server.request(ConnectedAccountsDocument, { first: 2 }, withKey(lister.apiKey));
    expect(first.data?.connectedAccounts.totalCount).toBe(4);
    expect(first.data?.connectedAccounts.nodes.map((node) => node.id)).toEqual([created[0]!.id, created[1]!.id]);
    const second = await server.request(
      ConnectedAccountsDocument,
      { first: 2, after: first.data?.connectedAccounts.pageInfo.endCursor },
      withKey(lister.apiKey),
    );
    expect(second.data?.connectedAccounts.nodes.map((node) => node.id)).toEqual([created[2]!.id, active.accountId]);
    expect(second.data?.connectedAccounts.pageInfo.hasNextPage).toBe(false);

    const newestFirst = await server.request(
      ConnectedAccountsDocument,
      { first: 1, orderBy: { field: 'CREATED_AT', direction: 'DESC' } },
      withKey(lister.apiKey),
    );
    expect(newestFirst.data?.connectedAccounts.nodes[0]?.id).toBe(active.accountId);

    const activeOnly = await server.request(ConnectedAccountsDocument, { filter: { status: ['ACTIVE'] } }, withKey(lister.apiKey));
    expect(activeOnly.data?.connectedAccounts.nodes.map((node) => node.id)).toEqual([active.accountId]);
    const byCustomer = await server.request(ConnectedAccountsDocument, { filter: { platformCustomerId: 'cus_b' } }, withKey(lister.apiKey));
    expect(byCustomer.data?.connectedAccounts.nodes.map((node) => node.id)).toEqual([created[1]!.id]);
    const standard = await server.request(ConnectedAccountsDocument, { filter: { connectionType: ['STANDARD'] } }, withKey(lister.apiKey));
    expect(standard.data?.connectedAccounts.totalCount).toBe(0);
    const future = await server.request(
      ConnectedAccountsDocument,
      { filter: { createdAt: { gt: new Date(Date.now() + 60_000).toISOString() } } },
      withKey(lister.apiKey),
    );
    expect(future.data?.connectedAccounts.totalCount).toBe(0);
    const past = await server.request(
      ConnectedAccountsDocument,
      { filter: { createdAt: { lte: new Date(Date.now() + 60_000).toISOString() } } },
      withKey(lister.apiKey),
    );
    expect(past.data?.connectedAccounts.totalCount).toBe(4);

    // first is capped at 100, not refused.
    const tooMany = await server.request(ConnectedAccountsDocument, { first: 500 }, withKey(lister.apiKey));
    expect(tooMany.errors).toBeUndefined();
    expect(tooMany.data?.connectedAccounts.nodes).toHaveLength(4);
  });
});
