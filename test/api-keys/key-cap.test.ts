// A tenant holds at most API_KEYS_PER_TENANT active keys: creating one more is LIMIT_REACHED, in the
// mutation's union, until one is revoked; concurrent creations never pass the cap. A sub-account's
// named keys count with its provisioned key, which createSubAccount and rotation still replace.
import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import {
  CreateApiKeyDocument,
  CreateSubAccountApiKeyDocument,
  RevokeApiKeyDocument,
  RotateSubAccountApiKeyDocument,
  type CreateSubAccountInput,
} from '../generated/graphql.ts';
import { givenConnectPlatform } from '../support/givens/connect.ts';
import { givenOrganization } from '../support/givens/organizations.ts';
import { withKey } from '../support/server.ts';
import { givenPurpose, givenSubAccount, subAccountInput } from '../support/givens/sub-accounts.ts';

const { test, world } = platformWorld({ environment: { API_KEYS_PER_TENANT: '3' } });

const activeKeys = (tenantId: string) => world.server.prisma.apiKey.count({ where: { tenantId, revokedAt: null } });

describe('the cap on API keys per tenant', () => {
  test('refuses a key past the cap with LIMIT_REACHED until one is revoked', async () => {
    const organization = await givenOrganization(world.server, 'Capped');
    const create = (name: string) => world.server.request(CreateApiKeyDocument, { input: { name } }, withKey(organization.apiKey));
    expect((await create('Second')).data?.createApiKey.__typename).toBe('CreateApiKeyPayload');
    const third = await create('Third');
    expect((await create('Fourth')).data?.createApiKey).toEqual({
      __typename: 'LimitReachedError',
      code: 'LIMIT_REACHED',
      limit: 3,
      message: 'A tenant holds at most 3 active API keys: revoke one it no longer uses first.',
    });
    expect(await activeKeys(organization.tenantId)).toBe(3);

    if (third.data?.createApiKey.__typename !== 'CreateApiKeyPayload') return expect.fail(JSON.stringify(third));
    await world.server.request(RevokeApiKeyDocument, { input: { id: third.data.createApiKey.apiKey.id } }, withKey(organization.apiKey));
    expect((await create('Fourth')).data?.createApiKey.__typename).toBe('CreateApiKeyPayload');
  });

  test('lets concurrent creations fill the room left, never more', async () => {
    const organization = await givenOrganization(world.server, 'Raced');
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        world.server.request(CreateApiKeyDocument, { input: { name: `Racer ${index}` } }, withKey(organization.apiKey)),
      ),
    );
    const outcomes = answers.map((answer) => answer.data?.createApiKey.__typename ?? JSON.stringify(answer.errors));
    expect(outcomes.filter((outcome) => outcome === 'CreateApiKeyPayload')).toHaveLength(2);
    expect(outcomes.filter((outcome) => outcome === 'LimitReachedError')).toHaveLength(4);
    expect(await activeKeys(organization.tenantId)).toBe(3);
  });

  test("counts a sub-account's named keys with its provisioned key, which is still replaced and rotated", async () => {
    const platform = await givenConnectPlatform(world.server, 'Capped Platform');
    const input: CreateSubAccountInput = subAccountInput({
      permissiblePurposeIds: [await givenPurpose(world.server, platform, 'Screening')],
    });
    const { subAccount } = await givenSubAccount(world.server, platform.apiKey, input);
    const create = (name: string) =>
      world.server.request(CreateSubAccountApiKeyDocument, { input: { subAccountId: subAccount.id, name } }, withKey(platform.apiKey));
    expect((await create('Named 1')).data?.createSubAccountApiKey.__typename).toBe('CreateSubAccountApiKeyPayload');
    expect((await create('Named 2')).data?.createSubAccountApiKey.__typename).toBe('CreateSubAccountApiKeyPayload');
    expect((await create('Named 3')).data?.createSubAccountApiKey).toMatchObject({
      __typename: 'LimitReachedError',
      code: 'LIMIT_REACHED',
      limit: 3,
    });

    // The provisioned key is replaced, not added: createSubAccount again, and rotation, still answer.
    expect((await givenSubAccount(world.server, platform.apiKey, input)).created).toBe(false);
    expect(await activeKeys(subAccount.tenantId)).toBe(3);
    const rotated = await world.server.request(
      RotateSubAccountApiKeyDocument,
      { input: { subAccountId: subAccount.id } },
      withKey(platform.apiKey),
    );
    expect(rotated.data?.rotateSubAccountApiKey.__typename).toBe('RotateSubAccountApiKeyPayload');
    expect(await activeKeys(subAccount.tenantId)).toBe(1);
  });
});
