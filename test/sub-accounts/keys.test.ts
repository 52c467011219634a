// Stories about a sub-account's keys: named keys next to the provisioned one, which the idempotent
// createSubAccount replaces (and only it); revocation by id; rotation as the reset of every key.
import { readFile } from 'node:fs/promises';
import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import {
  CreateSubAccountApiKeyDocument,
  EventsDocument,
  RevokeSubAccountApiKeyDocument,
  RotateSubAccountApiKeyDocument,
  SubAccountDocument,
  SubAccountsWithKeysDocument,
  ViewerDocument,
  type CreateSubAccountInput,
  type RevokeSubAccountApiKeyInput,
} from '../generated/graphql.ts';
import { givenOrganization } from '../support/givens/organizations.ts';
import { prismaOperationsOf } from '../support/prisma-operations.ts';
import { withKey } from '../support/server.ts';
import { givenPurpose, givenSubAccount, subAccountInput } from '../support/givens/sub-accounts.ts';

const { test, world } = platformWorld({}, async (seed) => {
  const platform = await seed.connectPlatform('Keyed Platform');
  const purpose = await givenPurpose(seed.server, platform, 'Employment screening');
  return { platform, purpose };
});

const input = (overrides: Partial<CreateSubAccountInput> = {}) => subAccountInput({ permissiblePurposeIds: [world.purpose] }, overrides);
const byPlatform = () => withKey(world.platform.apiKey);
const statusOf = async (key: string) => (await world.server.request(ViewerDocument, {}, withKey(key))).status;

function createKey(subAccountId: string, name: string, headers = byPlatform()) {
  return world.server.request(CreateSubAccountApiKeyDocument, { input: { subAccountId, name } }, headers);
}

async function namedKey(subAccountId: string, name: string) {
  const response = await createKey(subAccountId, name);
  if (response.data?.createSubAccountApiKey.__typename !== 'CreateSubAccountApiKeyPayload') return expect.fail(JSON.stringify(response));
  return {
    ...response.data.createSubAccountApiKey.apiKey,
    secret: response.data.createSubAccountApiKey.apiKey.secret ?? expect.fail('no secret'),
  };
}

const revoke = (keyInput: RevokeSubAccountApiKeyInput, headers = byPlatform()) =>
  world.server.request(RevokeSubAccountApiKeyDocument, { input: keyInput }, headers);

describe('named keys', () => {
  test('are made by the platform in the sub-account’s tenant, shown once, listed by name, and work next to the provisioned key', async () => {
    const created = await givenSubAccount(world.server, world.platform.apiKey, input());
    const payroll = await namedKey(created.subAccount.id, 'Payroll');
    expect(payroll).toMatchObject({ name: 'Payroll', tenantId: created.subAccount.tenantId, revokedAt: null });
    expect(payroll.secret).toMatch(/^mk_live_/);
    expect(await statusOf(payroll.secret)).toBe(200);
    expect(await statusOf(created.apiKey!.secret!)).toBe(200);

    const read = await world.server.request(SubAccountDocument, { id: created.subAccount.id }, byPlatform());
    expect(read.data?.subAccount).toMatchObject({ provisionedApiKeyId: created.apiKey!.id });
    expect(read.data?.subAccount?.apiKeys.map(({ id, name, secret }) => ({ id, name, secret }))).toEqual([
      { id: created.apiKey!.id, name: 'Sub-account key', secret: null },
      { id: payroll.id, name: 'Payroll', secret: null },
    ]);

    const events = await world.server.request(
      EventsDocument,
      { first: 10, filter: { type: ['sub_account.api_key.created'], objectId: payroll.id } },
      byPlatform(),
    );
    expect(events.data?.events.nodes[0]?.data).toMatchObject({
      object: { object: 'api_key', id: payroll.id, name: 'Payroll', subAccountId: created.subAccount.id },
    });
    expect(JSON.stringify(events)).not.toContain(payroll.secret);
  });

  test('stay working when createSubAccount with the same name refreshes the provisioned key, which alone is replaced', async () => {
    const first = await givenSubAccount(world.server, world.platform.apiKey, input({ accountName: 'Keyed Branch' }));
    const payroll = await namedKey(first.subAccount.id, 'Payroll');
    const audit = await namedKey(first.subAccount.id, 'Audit');

    const again = await givenSubAccount(world.server, world.platform.apiKey, input({ accountName: 'KEYED BRANCH' }));
    expect(again).toMatchObject({ created: false, subAccount: { id: first.subAccount.id, provisionedApiKeyId: again.apiKey!.id } });
    expect(await statusOf(first.apiKey!.secret!)).toBe(401);
    expect(await statusOf(again.apiKey!.secret!)).toBe(200);
    expect(await statusOf(payroll.secret)).toBe(200);
    expect(await statusOf(audit.secret)).toBe(200);

    // Once more: the refreshed key is now the one replaced.
    const third = await givenSubAccount(world.server, world.platform.apiKey, input({ accountName: 'Keyed Branch' }));
    expect(await statusOf(again.apiKey!.secret!)).toBe(401);
    expect(await statusOf(third.apiKey!.secret!)).toBe(200);
    expect(await statusOf(payroll.secret)).toBe(200);

    const revokedEvents = await world.server.request(
      EventsDocument,
      { first: 10, filter: { type: ['sub_account.api_key.revoked'] } },
      byPlatform(),
    );
    const revokedIds = revokedEvents.data?.events.nodes.map((event) => event.objectId);
    expect(revokedIds).toEqual(expect.arrayContaining([first.apiKey!.id, again.apiKey!.id]));
    expect(revokedIds).not.toContain(payroll.id);
  });

  test('refuse a name people could not read (VALIDATION naming input.name)', async () => {
    const created = await givenSubAccount(world.server, world.platform.apiKey, input({ createApiKey: false }));
    for (const name of [' ', 'Pay\u202Eroll', 'x'.repeat(101)]) {
      expect((await createKey(created.subAccount.id, name)).data?.createSubAccountApiKey).toMatchObject({
        code: 'VALIDATION',
        fields: ['input.name'],
      });
    }
    expect(await world.server.prisma.apiKey.count({ where: { tenantId: created.subAccount.tenantId } })).toBe(0);
  });
});

describe('revoking a sub-account key', () => {
  test('takes the key’s id, and still the deprecated { subAccountId, apiKeyId }; without a key it is VALIDATION', async () => {
    const created = await givenSubAccount(world.server, world.platform.apiKey, input());
    const payroll = await namedKey(created.subAccount.id, 'Payroll');
    const audit = await namedKey(created.subAccount.id, 'Audit');

    const byId = await revoke({ id: payroll.id });
    expect(byId.data?.revokeSubAccountApiKey).toMatchObject({
      __typename: 'RevokeSubAccountApiKeyPayload',
      apiKey: { id: payroll.id, revokedAt: expect.any(String) },
    });
    expect(await statusOf(payroll.secret)).toBe(401);
    expect(await statusOf(audit.secret)).toBe(200);
    // Again: the key as it is, revoked at the first time.
    expect((await revoke({ id: payroll.id })).data?.revokeSubAccountApiKey).toEqual(byId.data?.revokeSubAccountApiKey);

    const deprecated = await revoke({ subAccountId: created.subAccount.id, apiKeyId: audit.id });
    expect(deprecated.data?.revokeSubAccountApiKey).toMatchObject({ apiKey: { id: audit.id } });
    expect(await statusOf(audit.secret)).toBe(401);

    expect((await revoke({})).data?.revokeSubAccountApiKey).toMatchObject({ code: 'VALIDATION', fields: ['input.id'] });
    expect((await revoke({ subAccountId: created.subAccount.id })).data?.revokeSubAccountApiKey).toMatchObject({
      code: 'VALIDATION',
      fields: ['input.id'],
    });
    expect((await revoke({ id: payroll.id, apiKeyId: audit.id })).data?.revokeSubAccountApiKey).toMatchObject({
      code: 'VALIDATION',
      fields: ['input.id', 'input.apiKeyId'],
    });
    expect(await statusOf(created.apiKey!.secret!)).toBe(200);
  });

  test('treats the platform’s own key, another sub-account’s key named with the wrong sub-account, and another platform’s key as not found', async () => {
    const mine = await givenSubAccount(world.server, world.platform.apiKey, input());
    const sibling = await givenSubAccount(world.server, world.platform.apiKey, input());
    const stranger = await givenOrganization(world.server, 'Stranger');
    const strangers = await givenSubAccount(
      world.server,
      stranger.apiKey,
      subAccountInput({ permissiblePurposeIds: [await givenPurpose(world.server, stranger, 'p')] }),
    );

    const notFound = { __typename: 'NotFoundError', code: 'NOT_FOUND' };
    expect((await revoke({ id: world.platform.apiKeyId })).data?.revokeSubAccountApiKey).toMatchObject(notFound);
    expect((await revoke({ id: 'key_doesnotexist00000000000000' })).data?.revokeSubAccountApiKey).toMatchObject(notFound);
    expect((await revoke({ id: strangers.apiKey!.id })).data?.revokeSubAccountApiKey).toMatchObject(notFound);
    expect((await revoke({ id: sibling.apiKey!.id, subAccountId: mine.subAccount.id })).data?.revokeSubAccountApiKey).toMatchObject(
      notFound,
    );
    // And the other way round: the stranger cannot reach this platform's keys.
    expect((await revoke({ id: mine.apiKey!.id }, withKey(stranger.apiKey))).data?.revokeSubAccountApiKey).toMatchObject(notFound);
    expect((await createKey(mine.subAccount.id, 'Intruder', withKey(stranger.apiKey))).data?.createSubAccountApiKey).toMatchObject(
      notFound,
    );

    for (const key of [world.platform.apiKey, sibling.apiKey!.secret!, strangers.apiKey!.secret!, mine.apiKey!.secret!])
      expect(await statusOf(key)).toBe(200);
  });
});

describe('who manages keys', () => {
  test('never the sub-account’s own key, nor a platform acting for an EXPRESS account (FORBIDDEN)', async () => {
    const created = await givenSubAccount(world.server, world.platform.apiKey, input());
    const own = withKey(created.apiKey!.secret!);
    const { accountId } = await world.platform.activeAccount();
    for (const headers of [own, world.platform.actingFor(accountId)]) {
      const responses = [
        await createKey(created.subAccount.id, 'Mine', headers),
        await revoke({ id: created.apiKey!.id }, headers),
        await world.server.request(RotateSubAccountApiKeyDocument, { input: { subAccountId: created.subAccount.id } }, headers),
      ];
      for (const response of responses) {
        expect(response.status).toBe(403);
        expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      }
    }
    expect(await world.server.prisma.apiKey.count({ where: { tenantId: created.subAccount.tenantId, revokedAt: null } })).toBe(1);
  });
});

describe('rotating', () => {
  test('revokes every key, named ones included, and makes the new key the provisioned one', async () => {
    const created = await givenSubAccount(world.server, world.platform.apiKey, input({ accountName: 'Rotated Branch' }));
    const payroll = await namedKey(created.subAccount.id, 'Payroll');
    const rotated = await world.server.request(
      RotateSubAccountApiKeyDocument,
      { input: { subAccountId: created.subAccount.id } },
      byPlatform(),
    );
    if (rotated.data?.rotateSubAccountApiKey.__typename !== 'RotateSubAccountApiKeyPayload') return expect.fail(JSON.stringify(rotated));
    const fresh = rotated.data.rotateSubAccountApiKey;
    expect(fresh.subAccount.provisionedApiKeyId).toBe(fresh.apiKey.id);
    expect(await statusOf(created.apiKey!.secret!)).toBe(401);
    expect(await statusOf(payroll.secret)).toBe(401);
    expect(await statusOf(fresh.apiKey.secret!)).toBe(200);

    // The rotated key is what createSubAccount with the name replaces next; a named key made afterwards stays.
    const later = await namedKey(created.subAccount.id, 'Later');
    const again = await givenSubAccount(world.server, world.platform.apiKey, input({ accountName: 'Rotated Branch' }));
    expect(await statusOf(fresh.apiKey.secret!)).toBe(401);
    expect(await statusOf(again.apiKey!.secret!)).toBe(200);
    expect(await statusOf(later.secret)).toBe(200);
  });
});

describe('the migration', () => {
  test('makes each existing sub-account’s unrevoked key its provisioned key, and leaves one without a key with none', async () => {
    const migration = await readFile(
      new URL('../../prisma/migrations/20261123153147_sub_account_lifecycle_keys_catalog/migration.sql', import.meta.url),
      'utf8',
    );
    const carryOver = /UPDATE "SubAccount" AS "account"[^;]+;/.exec(migration)?.[0] ?? expect.fail('no carry-over statement');
    const keyed = await givenSubAccount(world.server, world.platform.apiKey, input());
    const revokedOnly = await givenSubAccount(world.server, world.platform.apiKey, input());
    await revoke({ id: revokedOnly.apiKey!.id });
    const keyless = await givenSubAccount(world.server, world.platform.apiKey, input({ createApiKey: false }));
    const ids = [keyed, revokedOnly, keyless].map((made) => made.subAccount.id);
    // As the rows were before the migration: no provisioned key recorded.
    await world.server.prisma.subAccount.updateMany({ where: { id: { in: ids } }, data: { provisionedApiKeyId: null } });

    await world.server.prisma.$executeRawUnsafe(carryOver);
    const rows = await world.server.prisma.subAccount.findMany({
      where: { id: { in: ids } },
      select: { id: true, provisionedApiKeyId: true },
    });
    const provisioned = (id: string) => rows.find((row) => row.id === id)?.provisionedApiKeyId;
    expect(ids.map(provisioned)).toEqual([keyed.apiKey!.id, null, null]);
  });
});

describe('a list of sub-accounts with their keys', () => {
  test('reads the keys of a whole page in one query, each sub-account its own', async () => {
    const lister = await givenOrganization(world.server, 'Listing Platform');
    const listerPurpose = await givenPurpose(world.server, lister, 'Listing purpose');
    const made = [];
    for (let index = 0; index < 12; index += 1) {
      made.push(
        await givenSubAccount(
          world.server,
          lister.apiKey,
          subAccountInput({ permissiblePurposeIds: [listerPurpose] }, { accountName: `Listed ${index}` }),
        ),
      );
    }
    const operationsFor = async (first: number) => {
      const { count, result } = await prismaOperationsOf(world.server, () =>
        world.server.request(SubAccountsWithKeysDocument, { first }, withKey(lister.apiKey)),
      );
      return { count, nodes: result.data?.subAccounts.nodes ?? [] };
    };
    const two = await operationsFor(2);
    const twelve = await operationsFor(12);
    expect(twelve.nodes).toHaveLength(12);
    expect(twelve.count).toBe(two.count);
    for (const node of twelve.nodes) {
      const own = made.find((subAccount) => subAccount.subAccount.id === node.id);
      expect(node.apiKeys.map((key) => key.id)).toEqual([own?.apiKey?.id]);
      expect(node.apiKeys.every((key) => key.tenantId === own?.subAccount.tenantId)).toBe(true);
    }
  });
});
