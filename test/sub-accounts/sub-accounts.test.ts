import { readFile } from 'node:fs/promises';
import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import {
  CatalogDocument,
  CreateSubAccountDocument,
  NodeDocument,
  RevokeSubAccountApiKeyDocument,
  RotateSubAccountApiKeyDocument,
  SubAccountDocument,
  SubAccountsDocument,
  UpdateSubAccountDocument,
  ViewerDocument,
  CreateApiKeyDocument,
  type CreateSubAccountInput,
} from '../generated/graphql.ts';
import { givenOrganization } from '../support/givens/organizations.ts';
import { withKey } from '../support/server.ts';
import { givenPackage, givenPurpose, givenSubAccount, subAccountInput as givenInput } from '../support/givens/sub-accounts.ts';

const { test, world } = platformWorld({}, async (seed) => {
  const platform = await seed.organization('Screening Platform');
  const purposeA = await givenPurpose(seed.server, platform, 'Employment screening');
  const purposeB = await givenPurpose(seed.server, platform, 'Tenant screening');
  const packageA = await givenPackage(seed.server, platform, 'Employment', [purposeA]);
  return { platform, purposeA, purposeB, packageA };
});

const subAccountInput = (overrides: Partial<CreateSubAccountInput> = {}) =>
  givenInput({ permissiblePurposeIds: [world.purposeA] }, overrides);
const createSubAccount = (input: CreateSubAccountInput, key = world.platform.apiKey) => givenSubAccount(world.server, key, input);

describe('creating sub-accounts', () => {
  test('makes its own organization, tenant and key; the key authenticates as the sub-account', async () => {
    const result = await createSubAccount(
      subAccountInput({
        url: 'https://branch.example',
        supportPhone: '+14155550123',
        companyPhoneNumber: '+442071838750',
        billingEmail: 'billing@branch.example',
        legalEntityType: 'LIMITED_LIABILITY_CORPORATION',
        ein: '12-3456789',
      }),
    );
    expect(result.created).toBe(true);
    expect(result.subAccount).toMatchObject({
      firstName: 'Ada',
      address: { line1: '1 Main St', line2: null, city: 'Springfield', state: 'IL', postalCode: '62701', country: 'US' },
      url: 'https://branch.example/',
      supportPhone: '+14155550123',
      legalEntityType: 'LIMITED_LIABILITY_CORPORATION',
      platformOrganizationId: world.platform.organizationId,
      permissiblePurposes: [{ id: world.purposeA }],
    });
    expect(result.subAccount.id).toMatch(/^sacc_/);
    expect(result.subAccount.organizationId).not.toBe(world.platform.organizationId);
    const secret = result.apiKey?.secret ?? expect.fail('no key');

    const viewer = await world.server.request(ViewerDocument, {}, withKey(secret));
    expect(viewer.data?.viewer).toMatchObject({ organizationId: result.subAccount.organizationId, tenantId: result.subAccount.tenantId });
  });

  test('reports every invalid field at once as one VALIDATION error', async () => {
    const response = await world.server.request(
      CreateSubAccountDocument,
      {
        input: subAccountInput({
          emailAddress: 'not-an-email',
          supportPhone: '555-1234',
          companyPhoneNumber: '+1',
          url: 'ftp://branch.example',
          ein: '123',
          firstName: ' ',
          address: { line1: '1 Main St', city: 'Springfield', postalCode: '62701', country: 'USA' },
        }),
      },
      withKey(world.platform.apiKey),
    );
    const result = response.data?.createSubAccount;
    expect(result?.__typename).toBe('ValidationError');
    if (result?.__typename !== 'ValidationError') return;
    expect([...result.fields].sort()).toEqual(
      [
        'input.address.country',
        'input.companyPhoneNumber',
        'input.ein',
        'input.emailAddress',
        'input.firstName',
        'input.supportPhone',
        'input.url',
      ].sort(),
    );
    expect(await world.server.prisma.subAccount.count({ where: { emailAddress: 'not-an-email' } })).toBe(0);
  });

  test('needs at least one permissible purpose; packages and ids must agree when both are given', async () => {
    const none = await world.server.request(
      CreateSubAccountDocument,
      { input: subAccountInput({ permissiblePurposeIds: [] }) },
      withKey(world.platform.apiKey),
    );
    expect(none.data?.createSubAccount).toMatchObject({
      code: 'VALIDATION',
      fields: ['input.permissiblePurposeIds', 'input.accountPackageIds'],
    });

    const disagree = await world.server.request(
      CreateSubAccountDocument,
      { input: subAccountInput({ permissiblePurposeIds: [world.purposeB], accountPackageIds: [world.packageA] }) },
      withKey(world.platform.apiKey),
    );
    expect(disagree.data?.createSubAccount).toMatchObject({
      code: 'VALIDATION',
      fields: ['input.permissiblePurposeIds', 'input.accountPackageIds'],
    });

    const viaPackage = await createSubAccount(subAccountInput({ permissiblePurposeIds: null, accountPackageIds: [world.packageA] }));
    expect(viaPackage.subAccount.permissiblePurposes).toEqual([{ id: world.purposeA }]);
    expect(viaPackage.subAccount.accountPackages).toEqual([{ id: world.packageA }]);

    const agree = await createSubAccount(
      subAccountInput({ permissiblePurposeIds: [world.purposeA, world.purposeB], accountPackageIds: [world.packageA] }),
    );
    expect(agree.subAccount.permissiblePurposes.map((purpose) => purpose.id).sort()).toEqual([world.purposeA, world.purposeB].sort());

    const foreignPurpose = await givenPurpose(world.server, await givenOrganization(world.server, 'Elsewhere'), 'Foreign purpose');
    const foreign = await world.server.request(
      CreateSubAccountDocument,
      { input: subAccountInput({ permissiblePurposeIds: [foreignPurpose] }) },
      withKey(world.platform.apiKey),
    );
    expect(foreign.data?.createSubAccount).toMatchObject({ code: 'VALIDATION', fields: ['input.permissiblePurposeIds'] });
  });

  test('returns the existing sub-account for a known name, with a refreshed key; the old key stops working', async () => {
    const input = subAccountInput();
    const first = await createSubAccount(input);
    const second = await createSubAccount({ ...input, firstName: 'Changed' });
    expect(second.created).toBe(false);
    expect(second.subAccount.id).toBe(first.subAccount.id);
    expect(second.subAccount.firstName).toBe('Ada');
    expect(second.apiKey?.secret).not.toBe(first.apiKey?.secret);

    expect((await world.server.request(ViewerDocument, {}, withKey(first.apiKey!.secret!))).status).toBe(401);
    expect((await world.server.request(ViewerDocument, {}, withKey(second.apiKey!.secret!))).status).toBe(200);
  });

  test('makes no key with createApiKey: false', async () => {
    const result = await createSubAccount(subAccountInput({ createApiKey: false }));
    expect(result.apiKey).toBeNull();
    expect(await world.server.prisma.apiKey.count({ where: { tenantId: result.subAccount.tenantId } })).toBe(0);
  });

  test('makes exactly one sub-account out of 10 concurrent creations with one name, leaving one working key', async () => {
    const input = subAccountInput({ accountName: 'Concurrent Branch' });
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => world.server.request(CreateSubAccountDocument, { input }, withKey(world.platform.apiKey))),
    );
    const results = responses.map((response) => response.data?.createSubAccount);
    expect(responses.every((response) => response.status === 200 && !response.errors)).toBe(true);
    const created = results.filter((result) => result?.__typename === 'CreateSubAccountPayload' && result.created);
    expect(created).toHaveLength(1);
    const ids = new Set(results.map((result) => (result?.__typename === 'CreateSubAccountPayload' ? result.subAccount.id : 'error')));
    expect(ids.size).toBe(1);

    const rows = await world.server.prisma.subAccount.findMany({
      where: { platformOrganizationId: world.platform.organizationId, accountName: 'Concurrent Branch' },
    });
    expect(rows).toHaveLength(1);
    expect(await world.server.prisma.apiKey.count({ where: { tenantId: rows[0]!.tenantId, revokedAt: null } })).toBe(1);
    expect(await world.server.prisma.organization.count({ where: { name: 'Concurrent Branch' } })).toBe(1);
  });
});

describe('a sub-account’s own key', () => {
  test('reads and updates itself, but sees neither the platform nor its siblings, and cannot act as the platform', async () => {
    const own = await createSubAccount(subAccountInput());
    const sibling = await createSubAccount(subAccountInput());
    const key = withKey(own.apiKey!.secret!);

    const self = await world.server.request(SubAccountDocument, { id: own.subAccount.id }, key);
    expect(self.data?.subAccount?.id).toBe(own.subAccount.id);
    expect((await world.server.request(SubAccountDocument, { id: sibling.subAccount.id }, key)).data?.subAccount).toBeNull();
    expect((await world.server.request(NodeDocument, { id: world.platform.organizationId }, key)).data?.node).toBeNull();
    const listed = await world.server.request(SubAccountsDocument, {}, key);
    expect(listed.data?.subAccounts.nodes.map((node) => node.id)).toEqual([own.subAccount.id]);

    const updated = await world.server.request(
      UpdateSubAccountDocument,
      { input: { id: own.subAccount.id, ownerTitle: 'CEO', supportPhone: '+14155550199' } },
      key,
    );
    expect(updated.data?.updateSubAccount).toMatchObject({ subAccount: { supportPhone: '+14155550199' } });
    const onSibling = await world.server.request(
      UpdateSubAccountDocument,
      { input: { id: sibling.subAccount.id, ownerTitle: 'CEO' } },
      key,
    );
    expect(onSibling.data?.updateSubAccount).toMatchObject({ code: 'NOT_FOUND' });

    const refused = await world.server.request(CreateSubAccountDocument, { input: subAccountInput() }, key);
    expect(refused.status).toBe(403);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await world.server.request(CreateApiKeyDocument, { input: { name: 'more' } }, key)).status).toBe(403);
  });

  test('cannot rename itself, and its refusal says nothing of the names that exist', async () => {
    const own = await createSubAccount(subAccountInput({ accountName: 'Renamer' }));
    const sibling = await createSubAccount(subAccountInput({ accountName: 'Sibling Branch' }));
    const key = withKey(own.apiKey!.secret!);
    const rename = (accountName: string) =>
      world.server.request(UpdateSubAccountDocument, { input: { id: own.subAccount.id, accountName, ownerTitle: 'CEO' } }, key);

    // A free name and a sibling's name get one and the same answer: no CONFLICT, no name quoted.
    const toFree = await rename('Renamed Branch');
    const toSibling = await rename(sibling.subAccount.accountName);
    const toSiblingCase = await rename('SIBLING BRANCH');
    for (const response of [toFree, toSibling, toSiblingCase]) {
      expect(response.data?.updateSubAccount).toEqual({
        __typename: 'ValidationError',
        code: 'VALIDATION',
        fields: ['input.accountName'],
        message: 'Only the platform renames a sub-account: leave input.accountName out.',
      });
    }
    // Its own name as it is (a form sends every field) is no rename.
    const same = await rename('Renamer');
    expect(same.data?.updateSubAccount).toMatchObject({ __typename: 'UpdateSubAccountPayload', subAccount: { accountName: 'Renamer' } });
    // The platform still finds it by the name it gave.
    const again = await createSubAccount(subAccountInput({ accountName: 'Renamer', createApiKey: false }));
    expect(again).toMatchObject({ created: false, subAccount: { id: own.subAccount.id } });
  });

  test('is listed, rotated and revoked by the platform, never with its secret', async () => {
    const own = await createSubAccount(subAccountInput());
    const read = await world.server.request(SubAccountDocument, { id: own.subAccount.id }, withKey(world.platform.apiKey));
    expect(read.data?.subAccount?.apiKeys).toEqual([expect.objectContaining({ id: own.apiKey!.id, secret: null, revokedAt: null })]);

    const rotated = await world.server.request(
      RotateSubAccountApiKeyDocument,
      { input: { subAccountId: own.subAccount.id } },
      withKey(world.platform.apiKey),
    );
    if (rotated.data?.rotateSubAccountApiKey.__typename !== 'RotateSubAccountApiKeyPayload') return expect.fail(JSON.stringify(rotated));
    const fresh = rotated.data.rotateSubAccountApiKey.apiKey;
    expect((await world.server.request(ViewerDocument, {}, withKey(own.apiKey!.secret!))).status).toBe(401);
    expect((await world.server.request(ViewerDocument, {}, withKey(fresh.secret!))).status).toBe(200);

    const revoked = await world.server.request(
      RevokeSubAccountApiKeyDocument,
      { input: { subAccountId: own.subAccount.id, apiKeyId: fresh.id } },
      withKey(world.platform.apiKey),
    );
    expect(revoked.data?.revokeSubAccountApiKey).toMatchObject({ apiKey: { id: fresh.id } });
    expect((await world.server.request(ViewerDocument, {}, withKey(fresh.secret!))).status).toBe(401);

    const wrongPair = await world.server.request(
      RevokeSubAccountApiKeyDocument,
      { input: { subAccountId: own.subAccount.id, apiKeyId: world.platform.apiKeyId } },
      withKey(world.platform.apiKey),
    );
    expect(wrongPair.data?.revokeSubAccountApiKey).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('updating, listing and isolation', () => {
  test('updates given fields only, clears optional ones with null, and refuses a taken name', async () => {
    const target = await createSubAccount(subAccountInput({ ownerTitle: 'Owner', ein: '12-3456789' }));
    const other = await createSubAccount(subAccountInput());
    const updated = await world.server.request(
      UpdateSubAccountDocument,
      {
        input: { id: target.subAccount.id, ein: null, address: { line1: '2 Side St', city: 'Paris', postalCode: '75001', country: 'fr' } },
      },
      withKey(world.platform.apiKey),
    );
    expect(updated.data?.updateSubAccount).toMatchObject({
      subAccount: { ein: null, firstName: 'Ada', address: { line1: '2 Side St', country: 'FR', state: null } },
    });
    const clearRequired = await world.server.request(
      UpdateSubAccountDocument,
      { input: { id: target.subAccount.id, firstName: null } },
      withKey(world.platform.apiKey),
    );
    expect(clearRequired.data?.updateSubAccount).toMatchObject({ code: 'VALIDATION', fields: ['input.firstName'] });
    const taken = await world.server.request(
      UpdateSubAccountDocument,
      { input: { id: target.subAccount.id, accountName: other.subAccount.accountName } },
      withKey(world.platform.apiKey),
    );
    expect(taken.data?.updateSubAccount).toMatchObject({ code: 'CONFLICT' });
  });

  test('keeps names unique in any letter case: create by name finds the same sub-account, a rename to another’s name in other case is CONFLICT', async () => {
    const first = await createSubAccount(subAccountInput({ accountName: 'Case Branch' }));
    const again = await createSubAccount(subAccountInput({ accountName: 'CASE branch' }));
    expect(again).toMatchObject({ created: false, subAccount: { id: first.subAccount.id, accountName: 'Case Branch' } });
    // Not a LIKE pattern: an underscore or a percent sign is a character like any other.
    const literal = await createSubAccount(subAccountInput({ accountName: 'Case_Branch' }));
    expect(literal.created).toBe(true);
    const accented = await createSubAccount(subAccountInput({ accountName: 'École Branch' }));
    expect(await createSubAccount(subAccountInput({ accountName: 'école branch' }))).toMatchObject({
      created: false,
      subAccount: { id: accented.subAccount.id },
    });

    const other = await createSubAccount(subAccountInput({ accountName: 'Other Case' }));
    const clash = await world.server.request(
      UpdateSubAccountDocument,
      { input: { id: other.subAccount.id, accountName: 'case BRANCH' } },
      withKey(world.platform.apiKey),
    );
    expect(clash.data?.updateSubAccount).toMatchObject({ code: 'CONFLICT' });
    // Its own name in another case is a rename of itself, not a clash.
    const recased = await world.server.request(
      UpdateSubAccountDocument,
      { input: { id: other.subAccount.id, accountName: 'OTHER CASE' } },
      withKey(world.platform.apiKey),
    );
    expect(recased.data?.updateSubAccount).toMatchObject({ subAccount: { accountName: 'OTHER CASE' } });
    expect(
      await world.server.prisma.subAccount.count({
        where: { platformOrganizationId: world.platform.organizationId, accountName: { in: ['Case Branch', 'CASE branch'] } },
      }),
    ).toBe(1);
  });

  test('makes one sub-account out of concurrent creations whose names differ only in case', async () => {
    const names = ['Race Branch', 'RACE BRANCH', 'race branch', 'Race branch', 'rAcE bRaNcH', 'RACE branch'];
    const responses = await Promise.all(
      names.map((accountName) =>
        world.server.request(CreateSubAccountDocument, { input: subAccountInput({ accountName }) }, withKey(world.platform.apiKey)),
      ),
    );
    const results = responses.map((response) => response.data?.createSubAccount);
    expect(
      results.every((result) => result?.__typename === 'CreateSubAccountPayload'),
      JSON.stringify(responses),
    ).toBe(true);
    expect(results.filter((result) => result?.__typename === 'CreateSubAccountPayload' && result.created)).toHaveLength(1);
    expect(new Set(results.map((result) => (result?.__typename === 'CreateSubAccountPayload' ? result.subAccount.id : null))).size).toBe(1);
  });

  test('migrates names that differ only in case: the oldest keeps its name, the others get their id appended', async () => {
    const migration = await readFile(
      new URL('../../prisma/migrations/20261123103000_sub_account_names_any_case/migration.sql', import.meta.url),
      'utf8',
    );
    const owner = await givenOrganization(world.server, 'Migrated Names');
    const purpose = await givenPurpose(world.server, owner, 'Migration purpose');
    const made = [];
    for (const accountName of ['Legacy 1', 'Legacy 2', 'Legacy 3']) {
      made.push(
        (await createSubAccount(subAccountInput({ accountName, permissiblePurposeIds: [purpose], createApiKey: false }), owner.apiKey))
          .subAccount.id,
      );
    }
    // As the table was before the migration: names that differ only in case, the oldest first.
    await world.server.prisma.$executeRawUnsafe('DROP INDEX "SubAccount_platformTenantId_lower_accountName_key"');
    const legacy = ['Legacy', 'LEGACY', 'legacy'];
    for (const [index, id] of made.entries()) {
      await world.server.prisma.subAccount.update({
        where: { id },
        data: { accountName: legacy[index], createdAt: new Date(Date.UTC(2026, 0, 1 + index)) },
      });
    }
    for (const statement of migration
      .replace(/^--.*$/gm, '')
      .split(';')
      .map((sql) => sql.trim())
      .filter(Boolean)) {
      await world.server.prisma.$executeRawUnsafe(statement);
    }
    // And the index goes per platform tenant again, as 20261123162149_sub_accounts_per_platform_tenant does.
    await world.server.prisma.$executeRawUnsafe('DROP INDEX "SubAccount_platformOrganizationId_lower_accountName_key"');
    await world.server.prisma.$executeRawUnsafe(
      'CREATE UNIQUE INDEX "SubAccount_platformTenantId_lower_accountName_key" ON "SubAccount" ("platformTenantId", lower("accountName"))',
    );
    const rows = await world.server.prisma.subAccount.findMany({ where: { id: { in: made } } });
    const nameOf = (id: string) => rows.find((row) => row.id === id)?.accountName;
    expect(made.map(nameOf)).toEqual(['Legacy', `LEGACY (${made[1]})`, `legacy (${made[2]})`]);
    // The index is back: the name in any case finds the oldest.
    const again = await createSubAccount(
      subAccountInput({ accountName: 'lEgAcY', permissiblePurposeIds: [purpose], createApiKey: false }),
      owner.apiKey,
    );
    expect(again).toMatchObject({ created: false, subAccount: { id: made[0] } });
  });

  test('refuses control characters and bidirectional overrides in names people read', async () => {
    const response = await world.server.request(
      CreateSubAccountDocument,
      { input: subAccountInput({ accountName: 'Branch\u202Efdp.exe', firstName: 'Ada\u001b[2J', lastName: 'Love\nlace' }) },
      withKey(world.platform.apiKey),
    );
    expect(response.data?.createSubAccount).toMatchObject({
      code: 'VALIDATION',
      fields: ['input.accountName', 'input.firstName', 'input.lastName'],
    });
  });

  test('pages, searches by name, filters by legal entity type and orders by name', async () => {
    const lister = await givenOrganization(world.server, 'Listing Screening');
    const purpose = await givenPurpose(world.server, lister, 'Listing purpose');
    for (const [accountName, legalEntityType] of [
      ['Gamma', 'NON_PROFIT'],
      ['alpha', 'CORPORATION'],
      ['Beta', null],
    ] as const) {
      await createSubAccount(subAccountInput({ accountName, legalEntityType, permissiblePurposeIds: [purpose] }), lister.apiKey);
    }
    const byName = await world.server.request(
      SubAccountsDocument,
      { first: 2, orderBy: { field: 'ACCOUNT_NAME', direction: 'ASC' } },
      withKey(lister.apiKey),
    );
    expect(byName.data?.subAccounts.totalCount).toBe(3);
    expect(byName.data?.subAccounts.nodes.map((node) => node.accountName)).toEqual(['Beta', 'Gamma']);
    const next = await world.server.request(
      SubAccountsDocument,
      { first: 2, after: byName.data?.subAccounts.pageInfo.endCursor, orderBy: { field: 'ACCOUNT_NAME', direction: 'ASC' } },
      withKey(lister.apiKey),
    );
    expect(next.data?.subAccounts.nodes.map((node) => node.accountName)).toEqual(['alpha']);

    const search = await world.server.request(SubAccountsDocument, { filter: { search: 'ALP' } }, withKey(lister.apiKey));
    expect(search.data?.subAccounts.nodes.map((node) => node.accountName)).toEqual(['alpha']);
    const byType = await world.server.request(
      SubAccountsDocument,
      { filter: { legalEntityType: ['NON_PROFIT', 'CORPORATION'] } },
      withKey(lister.apiKey),
    );
    expect(byType.data?.subAccounts.totalCount).toBe(2);

    const catalog = await world.server.request(CatalogDocument, {}, withKey(lister.apiKey));
    expect(catalog.data?.permissiblePurposes.nodes.map((node) => node.id)).toEqual([purpose]);
    expect(catalog.data?.accountPackages.totalCount).toBe(0);
  });

  test('never shows one platform’s sub-accounts or catalog to another', async () => {
    const mine = await createSubAccount(subAccountInput());
    const stranger = await givenOrganization(world.server, 'Stranger');
    expect(
      (await world.server.request(SubAccountDocument, { id: mine.subAccount.id }, withKey(stranger.apiKey))).data?.subAccount,
    ).toBeNull();
    expect((await world.server.request(NodeDocument, { id: mine.subAccount.id }, withKey(stranger.apiKey))).data?.node).toBeNull();
    expect((await world.server.request(NodeDocument, { id: world.purposeA }, withKey(stranger.apiKey))).data?.node).toBeNull();
    expect((await world.server.request(SubAccountsDocument, {}, withKey(stranger.apiKey))).data?.subAccounts.totalCount).toBe(0);
    const update = await world.server.request(
      UpdateSubAccountDocument,
      { input: { id: mine.subAccount.id, ownerTitle: 'x' } },
      withKey(stranger.apiKey),
    );
    expect(update.data?.updateSubAccount).toMatchObject({ code: 'NOT_FOUND' });
    const rotate = await world.server.request(
      RotateSubAccountApiKeyDocument,
      { input: { subAccountId: mine.subAccount.id } },
      withKey(stranger.apiKey),
    );
    expect(rotate.data?.rotateSubAccountApiKey).toMatchObject({ code: 'NOT_FOUND' });
    // The same name is free on another platform.
    const sameName = await world.server.request(
      CreateSubAccountDocument,
      {
        input: subAccountInput({
          accountName: mine.subAccount.accountName,
          permissiblePurposeIds: [await givenPurpose(world.server, stranger, 'p')],
        }),
      },
      withKey(stranger.apiKey),
    );
    expect(sameName.data?.createSubAccount).toMatchObject({ created: true });
  });
});
