// Stories about a sub-account's lifecycle: the platform deactivates and reactivates it; a deactivated
// sub-account's keys are refused with 403 SUB_ACCOUNT_DEACTIVATED from the very next request, in
// every server process, and work again once it is reactivated.
import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import {
  CreateSubAccountApiKeyDocument,
  CreateSubAccountDocument,
  DeactivateSubAccountDocument,
  EventsDocument,
  ReactivateSubAccountDocument,
  RevokeSubAccountApiKeyDocument,
  RotateSubAccountApiKeyDocument,
  SubAccountsDocument,
  UpdateSubAccountDocument,
  ViewerDocument,
  type CreateSubAccountInput,
} from '../generated/graphql.ts';
import { givenOrganization } from '../support/givens/organizations.ts';
import { startTestServer, withKey, type TestServer } from '../support/server.ts';
import { givenPurpose, givenSubAccount, subAccountInput } from '../support/givens/sub-accounts.ts';

const { test, world } = platformWorld({}, async (seed) => {
  const platform = await seed.connectPlatform('Lifecycle Platform');
  const purpose = await givenPurpose(seed.server, platform, 'Employment screening');
  return { platform, purpose };
});

const input = (overrides: Partial<CreateSubAccountInput> = {}) => subAccountInput({ permissiblePurposeIds: [world.purpose] }, overrides);
const byPlatform = () => withKey(world.platform.apiKey);
const deactivate = (id: string, headers = byPlatform()) =>
  world.server.request(DeactivateSubAccountDocument, { input: { id, reason: 'FRAUD' } }, headers);
const reactivate = (id: string, headers = byPlatform()) => world.server.request(ReactivateSubAccountDocument, { input: { id } }, headers);

async function givenActive() {
  const created = await givenSubAccount(world.server, world.platform.apiKey, input());
  return {
    id: created.subAccount.id,
    key: created.apiKey?.secret ?? expect.fail('no key'),
    keyId: created.apiKey?.id ?? expect.fail('no key'),
  };
}

async function namedKey(subAccountId: string, name = 'Payroll') {
  const response = await world.server.request(CreateSubAccountApiKeyDocument, { input: { subAccountId, name } }, byPlatform());
  if (response.data?.createSubAccountApiKey.__typename !== 'CreateSubAccountApiKeyPayload') return expect.fail(JSON.stringify(response));
  return response.data.createSubAccountApiKey.apiKey;
}

/** What a request with the key gets: its HTTP status and top-level error code. */
async function answerTo(key: string, target = world.server, header: 'authorization' | 'x-api-key' = 'authorization') {
  const response = await target.request(ViewerDocument, {}, header === 'authorization' ? withKey(key) : { 'x-api-key': key });
  return { status: response.status, code: response.errors?.[0]?.extensions?.code ?? null };
}

const refused = { status: 403, code: 'SUB_ACCOUNT_DEACTIVATED' };
const served = { status: 200, code: null };

describe('deactivating and reactivating a sub-account', () => {
  test('goes ACTIVE → DEACTIVATED → ACTIVE with the reason and time, records each, and refuses a repeated transition', async () => {
    const { id } = await givenActive();
    const deactivated = await deactivate(id);
    expect(deactivated.data?.deactivateSubAccount).toMatchObject({
      __typename: 'DeactivateSubAccountPayload',
      subAccount: { id, status: 'DEACTIVATED', statusReason: 'FRAUD', deactivatedAt: expect.any(String) },
    });
    expect((await deactivate(id)).data?.deactivateSubAccount).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE' });

    const listed = await world.server.request(SubAccountsDocument, { filter: { status: ['DEACTIVATED'] } }, byPlatform());
    expect(listed.data?.subAccounts.nodes.map((node) => node.id)).toEqual([id]);

    const reactivated = await reactivate(id);
    expect(reactivated.data?.reactivateSubAccount).toMatchObject({
      subAccount: { id, status: 'ACTIVE', statusReason: null, deactivatedAt: null },
    });
    expect((await reactivate(id)).data?.reactivateSubAccount).toMatchObject({ code: 'INVALID_STATE' });

    const events = await world.server.request(EventsDocument, { first: 10, filter: { objectId: id } }, byPlatform());
    const [reactivatedEvent, deactivatedEvent] = events.data?.events.nodes ?? [];
    expect(reactivatedEvent).toMatchObject({
      type: 'sub_account.reactivated',
      actor: { type: 'API_KEY', id: world.platform.apiKeyId },
      data: { object: { status: 'ACTIVE', statusReason: null }, previous: { status: 'DEACTIVATED', statusReason: 'FRAUD' } },
    });
    expect(deactivatedEvent).toMatchObject({
      type: 'sub_account.deactivated',
      data: { object: { status: 'DEACTIVATED' }, previous: { status: 'ACTIVE' } },
    });
    // Which key is the provisioned one is told by the key events, not by the sub-account's.
    expect(reactivatedEvent?.data.object).not.toHaveProperty('provisionedApiKeyId');
  });

  test('refuses every key of a deactivated sub-account from the very next request, even one the server has cached, and serves them again once reactivated', async () => {
    const { id, key } = await givenActive();
    const named = await namedKey(id);
    // Used once: both keys are now in this process's cache.
    expect(await answerTo(key)).toEqual(served);
    expect(await answerTo(named.secret!)).toEqual(served);

    await deactivate(id);
    expect(await answerTo(key)).toEqual(refused);
    expect(await answerTo(named.secret!, world.server, 'x-api-key')).toEqual(refused);
    const refusal = await world.server.request(ViewerDocument, {}, withKey(key));
    expect(refusal.data ?? null).toBeNull();
    expect(refusal.errors?.[0]?.message).not.toContain(id);

    await reactivate(id);
    expect(await answerTo(key)).toEqual(served);
    expect(await answerTo(named.secret!)).toEqual(served);
  });

  test('keeps a key revoked while the sub-account was deactivated revoked after reactivation', async () => {
    const { id, key } = await givenActive();
    const named = await namedKey(id);
    await deactivate(id);
    const revoked = await world.server.request(RevokeSubAccountApiKeyDocument, { input: { id: named.id } }, byPlatform());
    expect(revoked.data?.revokeSubAccountApiKey).toMatchObject({ apiKey: { id: named.id, revokedAt: expect.any(String) } });
    await reactivate(id);
    expect(await answerTo(named.secret!)).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    expect(await answerTo(key)).toEqual(served);
  });

  test('refuses the keys of a sub-account deactivated behind the API’s back (by SQL) within moments, through the trigger', async () => {
    const { id, key } = await givenActive();
    expect(await answerTo(key)).toEqual(served);
    await world.server.prisma.$executeRaw`UPDATE "SubAccount" SET "status" = 'DEACTIVATED' WHERE "id" = ${id}`;
    await expect.poll(() => answerTo(key), { interval: 5, timeout: 2_000 }).toEqual(refused);
    await world.server.prisma.$executeRaw`UPDATE "SubAccount" SET "status" = 'ACTIVE' WHERE "id" = ${id}`;
    await expect.poll(() => answerTo(key), { interval: 5, timeout: 2_000 }).toEqual(served);
  });

  test('lets the platform update a deactivated sub-account, and issues it no key (createSubAccountApiKey, rotate: INVALID_STATE)', async () => {
    const { id } = await givenActive();
    await deactivate(id);
    const updated = await world.server.request(UpdateSubAccountDocument, { input: { id, ownerTitle: 'Former CEO' } }, byPlatform());
    expect(updated.data?.updateSubAccount).toMatchObject({ subAccount: { status: 'DEACTIVATED' } });
    const created = await world.server.request(CreateSubAccountApiKeyDocument, { input: { subAccountId: id, name: 'Late' } }, byPlatform());
    expect(created.data?.createSubAccountApiKey).toMatchObject({ code: 'INVALID_STATE' });
    const rotated = await world.server.request(RotateSubAccountApiKeyDocument, { input: { subAccountId: id } }, byPlatform());
    expect(rotated.data?.rotateSubAccountApiKey).toMatchObject({ code: 'INVALID_STATE' });
  });
});

describe('createSubAccount with a deactivated sub-account’s name', () => {
  test('answers INVALID_STATE in any letter case, with or without a key: never a second account, never a fresh key', async () => {
    const first = await givenSubAccount(world.server, world.platform.apiKey, input({ accountName: 'Dormant Branch' }));
    await deactivate(first.subAccount.id);
    const keysBefore = await world.server.prisma.apiKey.count({ where: { tenantId: first.subAccount.tenantId } });

    for (const createApiKey of [true, false]) {
      const again = await world.server.request(
        CreateSubAccountDocument,
        { input: input({ accountName: 'DORMANT branch', createApiKey }) },
        byPlatform(),
      );
      expect(again.data?.createSubAccount).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE' });
      expect(JSON.stringify(again)).not.toMatch(/mk_(live|test)_/);
    }
    expect(
      await world.server.prisma.subAccount.count({
        where: { platformOrganizationId: world.platform.organizationId, accountName: { equals: 'dormant branch', mode: 'insensitive' } },
      }),
    ).toBe(1);
    expect(await world.server.prisma.apiKey.count({ where: { tenantId: first.subAccount.tenantId } })).toBe(keysBefore);
    expect(await answerTo(first.apiKey!.secret!)).toEqual(refused);

    await reactivate(first.subAccount.id);
    const afterReactivation = await givenSubAccount(world.server, world.platform.apiKey, input({ accountName: 'Dormant Branch' }));
    expect(afterReactivation).toMatchObject({ created: false, subAccount: { id: first.subAccount.id, status: 'ACTIVE' } });
  });
});

describe('who may deactivate and reactivate', () => {
  test('only the platform with its own key: FORBIDDEN while acting on behalf and for the sub-account’s own key; another platform’s id is NOT_FOUND', async () => {
    const { id, key } = await givenActive();
    const { accountId } = await world.platform.activeAccount();
    for (const headers of [world.platform.actingFor(accountId), withKey(key)]) {
      for (const response of [await deactivate(id, headers), await reactivate(id, headers)]) {
        expect(response.status).toBe(403);
        expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
        expect(response.data).toBeNull();
      }
    }

    const stranger = await givenOrganization(world.server, 'Stranger');
    const foreign = await deactivate(id, withKey(stranger.apiKey));
    const unknown = await deactivate('sacc_doesnotexist000000000000', withKey(stranger.apiKey));
    expect(foreign.data?.deactivateSubAccount).toMatchObject({ code: 'NOT_FOUND' });
    expect(unknown.data?.deactivateSubAccount).toMatchObject({ code: 'NOT_FOUND' });
    expect((await reactivate(id, withKey(stranger.apiKey))).data?.reactivateSubAccount).toMatchObject({ code: 'NOT_FOUND' });
    expect(await answerTo(key)).toEqual(served);
  });
});

describe.runIf(process.env.TEST_DATABASE === 'postgres')('deactivation across server processes', () => {
  let other: TestServer;
  test.beforeAll(async () => {
    other = await startTestServer({ databaseUrl: world.server.databaseUrl ?? expect.fail('no database url') });
  });
  test.afterAll(() => other?.close());

  test('refuses in the other process a key it has cached, once deactivated through this one, and serves it again once reactivated', async () => {
    const { id, key } = await givenActive();
    expect(await answerTo(key, other)).toEqual(served);
    const started = performance.now();
    await deactivate(id);
    await expect.poll(() => answerTo(key, other), { interval: 1, timeout: 2_000 }).toEqual(refused);
    console.log(`deactivation seen by the other process after ${Math.round(performance.now() - started)} ms`);
    await reactivate(id);
    await expect.poll(() => answerTo(key, other), { interval: 1, timeout: 2_000 }).toEqual(served);
  });
});
