// Stories about the platform's catalog after creation: updating and archiving purposes and packages,
// and changing a sub-account's purposes and packages with updateSubAccount.
import { describe, expect } from 'vitest';
import { platformWorld } from '../support/world.ts';
import {
  ArchiveAccountPackageDocument,
  ArchivePermissiblePurposeDocument,
  CatalogDocument,
  CreateAccountPackageDocument,
  CreateSubAccountDocument,
  EventsDocument,
  SubAccountDocument,
  UpdateAccountPackageDocument,
  UpdatePermissiblePurposeDocument,
  UpdateSubAccountDocument,
  type CatalogQueryVariables,
  type CreateSubAccountInput,
  type UpdateSubAccountInput,
} from '../generated/graphql.ts';
import { givenOrganization } from '../support/givens/organizations.ts';
import { withKey } from '../support/server.ts';
import { givenPackage, givenPurpose, givenSubAccount, subAccountInput } from '../support/givens/sub-accounts.ts';
import { unique } from '../support/unique.ts';

const { test, world } = platformWorld({}, async (seed) => {
  const platform = await seed.organization('Catalog Platform');
  const stranger = await seed.organization('Stranger Platform');
  return { platform, stranger };
});

const byPlatform = () => withKey(world.platform.apiKey);
/** A purpose with a new name, on the platform. */
const newPurpose = (name = 'Purpose') => givenPurpose(world.server, world.platform, `${name} ${unique()}`);
const newPackage = async (purposeIds: string[]) => givenPackage(world.server, world.platform, `Package ${unique()}`, purposeIds);

const archivePurpose = (id: string, headers = byPlatform()) =>
  world.server.request(ArchivePermissiblePurposeDocument, { input: { id } }, headers);
const archivePackage = (id: string, headers = byPlatform()) =>
  world.server.request(ArchiveAccountPackageDocument, { input: { id } }, headers);
const create = (overrides: Partial<CreateSubAccountInput>) =>
  world.server.request(CreateSubAccountDocument, { input: subAccountInput(overrides) }, byPlatform());
const update = (input: UpdateSubAccountInput, headers = byPlatform()) => world.server.request(UpdateSubAccountDocument, { input }, headers);
const ids = (rows: readonly { id: string }[] | undefined) => (rows ?? []).map((row) => row.id).sort();

describe('updating the catalog', () => {
  test('renames a purpose and changes or clears its description; a taken name is CONFLICT; a blank one VALIDATION', async () => {
    const purpose = await newPurpose('Renamed');
    const taken = await newPurpose('Taken');
    const renamed = await world.server.request(
      UpdatePermissiblePurposeDocument,
      { input: { id: purpose, name: 'Tenant screening', description: 'For landlords.' } },
      byPlatform(),
    );
    expect(renamed.data?.updatePermissiblePurpose).toMatchObject({
      permissiblePurpose: { id: purpose, name: 'Tenant screening', description: 'For landlords.' },
    });
    const cleared = await world.server.request(
      UpdatePermissiblePurposeDocument,
      { input: { id: purpose, description: null } },
      byPlatform(),
    );
    expect(cleared.data?.updatePermissiblePurpose).toMatchObject({ permissiblePurpose: { name: 'Tenant screening', description: null } });

    const catalog = await world.server.request(CatalogDocument, {}, byPlatform());
    const takenName = catalog.data?.permissiblePurposes.nodes.find((node) => node.id === taken)?.name ?? expect.fail('no purpose');
    const clash = await world.server.request(UpdatePermissiblePurposeDocument, { input: { id: purpose, name: takenName } }, byPlatform());
    expect(clash.data?.updatePermissiblePurpose).toMatchObject({ code: 'CONFLICT' });
    for (const name of [' ', null]) {
      const blank = await world.server.request(UpdatePermissiblePurposeDocument, { input: { id: purpose, name } }, byPlatform());
      expect(blank.data?.updatePermissiblePurpose).toMatchObject({ code: 'VALIDATION', fields: ['input.name'] });
    }
  });

  test('renames a package and replaces its purposes (at least one); the sub-accounts that have it keep the purposes they got', async () => {
    const [first, second] = [await newPurpose(), await newPurpose()];
    const pkg = await newPackage([first]);
    const holder = await givenSubAccount(
      world.server,
      world.platform.apiKey,
      subAccountInput({ accountPackageIds: [pkg], createApiKey: false }),
    );
    expect(ids(holder.subAccount.permissiblePurposes)).toEqual([first]);

    const updated = await world.server.request(
      UpdateAccountPackageDocument,
      { input: { id: pkg, name: 'Premium', permissiblePurposeIds: [second] } },
      byPlatform(),
    );
    expect(updated.data?.updateAccountPackage).toMatchObject({
      accountPackage: { id: pkg, name: 'Premium', permissiblePurposes: [{ id: second }] },
    });
    const empty = await world.server.request(UpdateAccountPackageDocument, { input: { id: pkg, permissiblePurposeIds: [] } }, byPlatform());
    expect(empty.data?.updateAccountPackage).toMatchObject({ code: 'VALIDATION', fields: ['input.permissiblePurposeIds'] });
    const foreign = await world.server.request(
      UpdateAccountPackageDocument,
      { input: { id: pkg, permissiblePurposeIds: [await givenPurpose(world.server, world.stranger, 'Foreign')] } },
      byPlatform(),
    );
    expect(foreign.data?.updateAccountPackage).toMatchObject({ code: 'VALIDATION', fields: ['input.permissiblePurposeIds'] });

    const later = await givenSubAccount(
      world.server,
      world.platform.apiKey,
      subAccountInput({ accountPackageIds: [pkg], createApiKey: false }),
    );
    expect(ids(later.subAccount.permissiblePurposes)).toEqual([second]);
    const read = await world.server.request(SubAccountDocument, { id: holder.subAccount.id }, byPlatform());
    expect(read.data?.subAccount).toMatchObject({ permissiblePurposes: [{ id: first }], accountPackages: [{ id: pkg }] });
  });

  test('treats another platform’s entries as not found, and a sub-account’s own key may not touch the catalog', async () => {
    const theirs = await givenPurpose(world.server, world.stranger, 'Their purpose');
    const theirPackage = await givenPackage(world.server, world.stranger, 'Their package', [theirs]);
    const notFound = { __typename: 'NotFoundError', code: 'NOT_FOUND' };
    expect(
      (await world.server.request(UpdatePermissiblePurposeDocument, { input: { id: theirs, name: 'Mine now' } }, byPlatform())).data
        ?.updatePermissiblePurpose,
    ).toMatchObject(notFound);
    expect(
      (await world.server.request(UpdateAccountPackageDocument, { input: { id: theirPackage, name: 'Mine now' } }, byPlatform())).data
        ?.updateAccountPackage,
    ).toMatchObject(notFound);
    expect((await archivePurpose(theirs)).data?.archivePermissiblePurpose).toMatchObject(notFound);
    expect((await archivePackage(theirPackage)).data?.archiveAccountPackage).toMatchObject(notFound);
    expect((await archivePurpose('ppur_doesnotexist0000000000000')).data?.archivePermissiblePurpose).toMatchObject(notFound);
    const untouched = await world.server.request(CatalogDocument, {}, withKey(world.stranger.apiKey));
    expect(untouched.data?.permissiblePurposes.nodes.find((node) => node.id === theirs)).toMatchObject({
      name: 'Their purpose',
      archivedAt: null,
    });

    const own = await givenSubAccount(
      world.server,
      world.platform.apiKey,
      subAccountInput({ permissiblePurposeIds: [await newPurpose()] }),
    );
    const ownKey = withKey(own.apiKey!.secret!);
    const purpose = own.subAccount.permissiblePurposes[0]!.id;
    for (const response of [
      await world.server.request(UpdatePermissiblePurposeDocument, { input: { id: purpose, name: 'Mine' } }, ownKey),
      await archivePurpose(purpose, ownKey),
    ]) {
      expect(response.status).toBe(403);
      expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });
});

describe('archiving', () => {
  test('sets archivedAt once (twice is INVALID_STATE); the entry stays on the sub-accounts and packages that have it', async () => {
    const purpose = await newPurpose();
    const pkg = await newPackage([purpose]);
    const holder = await givenSubAccount(
      world.server,
      world.platform.apiKey,
      subAccountInput({ permissiblePurposeIds: [purpose], accountPackageIds: [pkg], createApiKey: false }),
    );

    const archived = await archivePurpose(purpose);
    expect(archived.data?.archivePermissiblePurpose).toMatchObject({ permissiblePurpose: { id: purpose, archivedAt: expect.any(String) } });
    expect((await archivePurpose(purpose)).data?.archivePermissiblePurpose).toMatchObject({ code: 'INVALID_STATE' });
    const archivedPackage = await archivePackage(pkg);
    expect(archivedPackage.data?.archiveAccountPackage).toMatchObject({
      accountPackage: { id: pkg, archivedAt: expect.any(String), permissiblePurposes: [{ id: purpose }] },
    });
    expect((await archivePackage(pkg)).data?.archiveAccountPackage).toMatchObject({ code: 'INVALID_STATE' });

    const kept = await update({ id: holder.subAccount.id, ownerTitle: 'Owner' });
    expect(kept.data?.updateSubAccount).toMatchObject({
      subAccount: { permissiblePurposes: [{ id: purpose }], accountPackages: [{ id: pkg }] },
    });
    // What it has, it may keep when its choice is given again.
    const again = await update({ id: holder.subAccount.id, permissiblePurposeIds: [purpose], accountPackageIds: [pkg] });
    expect(again.data?.updateSubAccount).toMatchObject({ __typename: 'UpdateSubAccountPayload' });
  });

  test('refuses to assign an archived entry anew, naming the field and the id: on create, on update, in a package', async () => {
    const live = await newPurpose('Live');
    const purpose = await newPurpose('Archived');
    const pkg = await newPackage([purpose]);
    await archivePurpose(purpose);
    await archivePackage(pkg);

    const viaPurpose = await create({ permissiblePurposeIds: [live, purpose] });
    expect(viaPurpose.data?.createSubAccount).toMatchObject({ code: 'VALIDATION', fields: ['input.permissiblePurposeIds'] });
    expect(viaPurpose.data?.createSubAccount.__typename === 'ValidationError' && viaPurpose.data.createSubAccount.message).toContain(
      purpose,
    );
    const viaPackage = await create({ permissiblePurposeIds: [live], accountPackageIds: [pkg] });
    expect(viaPackage.data?.createSubAccount).toMatchObject({ code: 'VALIDATION', fields: ['input.accountPackageIds'] });
    expect(viaPackage.data?.createSubAccount.__typename === 'ValidationError' && viaPackage.data.createSubAccount.message).toContain(pkg);

    const holder = await givenSubAccount(
      world.server,
      world.platform.apiKey,
      subAccountInput({ permissiblePurposeIds: [live], createApiKey: false }),
    );
    const onUpdate = await update({ id: holder.subAccount.id, permissiblePurposeIds: [live, purpose] });
    expect(onUpdate.data?.updateSubAccount).toMatchObject({ code: 'VALIDATION', fields: ['input.permissiblePurposeIds'] });

    const inPackage = await world.server.request(
      CreateAccountPackageDocument,
      { input: { name: 'With archived', permissiblePurposeIds: [purpose] } },
      byPlatform(),
    );
    expect(inPackage.data?.createAccountPackage).toMatchObject({ code: 'VALIDATION', fields: ['input.permissiblePurposeIds'] });
    const otherPackage = await newPackage([live]);
    const addedToPackage = await world.server.request(
      UpdateAccountPackageDocument,
      { input: { id: otherPackage, permissiblePurposeIds: [live, purpose] } },
      byPlatform(),
    );
    expect(addedToPackage.data?.updateAccountPackage).toMatchObject({ code: 'VALIDATION', fields: ['input.permissiblePurposeIds'] });
  });

  test('lets a live package bring only its live purposes to a sub-account that did not have the archived ones', async () => {
    const [kept, retired] = [await newPurpose('Kept'), await newPurpose('Retired')];
    const pkg = await newPackage([kept, retired]);
    await archivePurpose(retired);
    const fresh = await givenSubAccount(
      world.server,
      world.platform.apiKey,
      subAccountInput({ accountPackageIds: [pkg], createApiKey: false }),
    );
    expect(ids(fresh.subAccount.permissiblePurposes)).toEqual([kept]);
    // Both given: the package's live purposes must be among the ids; the archived one need not be.
    const both = await givenSubAccount(
      world.server,
      world.platform.apiKey,
      subAccountInput({ permissiblePurposeIds: [kept], accountPackageIds: [pkg], createApiKey: false }),
    );
    expect(ids(both.subAccount.permissiblePurposes)).toEqual([kept]);
  });

  test('lists archived entries too, unless filter.archived says which; orders by name and searches', async () => {
    const owner = await givenOrganization(world.server, 'Listing Catalog');
    const [beta, alpha, gamma] = [
      await givenPurpose(world.server, owner, 'beta'),
      await givenPurpose(world.server, owner, 'Alpha'),
      await givenPurpose(world.server, owner, 'Gamma'),
    ];
    const pkg = await givenPackage(world.server, owner, 'Old package', [alpha]);
    await archivePurpose(beta, withKey(owner.apiKey));
    await archivePackage(pkg, withKey(owner.apiKey));
    const list = async (variables: CatalogQueryVariables) =>
      (await world.server.request(CatalogDocument, variables, withKey(owner.apiKey))).data ?? expect.fail('no catalog');

    const all = await list({ purposeOrder: { field: 'NAME', direction: 'ASC' } });
    expect(all.permissiblePurposes.nodes.map((node) => node.id)).toEqual([alpha, gamma, beta]);
    expect(all.accountPackages.totalCount).toBe(1);
    const active = await list({ purposeFilter: { archived: false }, packageFilter: { archived: false } });
    expect(ids(active.permissiblePurposes.nodes)).toEqual([alpha, gamma].sort());
    expect(active.accountPackages.totalCount).toBe(0);
    const archived = await list({ purposeFilter: { archived: true }, packageFilter: { archived: true } });
    expect(archived.permissiblePurposes.nodes).toEqual([expect.objectContaining({ id: beta, archivedAt: expect.any(String) })]);
    expect(archived.accountPackages.nodes.map((node) => node.id)).toEqual([pkg]);
    expect((await list({ purposeFilter: { search: 'ALP' } })).permissiblePurposes.nodes.map((node) => node.id)).toEqual([alpha]);
  });
});

describe('the catalog’s events', () => {
  const eventsOf = async (objectId: string) =>
    (await world.server.request(EventsDocument, { first: 10, filter: { objectId } }, byPlatform())).data?.events.nodes.map((event) => ({
      type: event.type,
      data: event.data,
    })) ?? [];

  test('records each update and archiving, with what changed, in the platform tenant only', async () => {
    const purpose = await newPurpose('Evented');
    const other = await newPurpose('Evented other');
    const pack = await newPackage([purpose]);
    await world.server.request(UpdatePermissiblePurposeDocument, { input: { id: purpose, description: 'Now described.' } }, byPlatform());
    await world.server.request(
      UpdateAccountPackageDocument,
      { input: { id: pack, permissiblePurposeIds: [purpose, other] } },
      byPlatform(),
    );
    await archivePurpose(purpose);
    await archivePackage(pack);

    // Newest first.
    expect(await eventsOf(purpose)).toMatchObject([
      {
        type: 'permissible_purpose.archived',
        data: { object: { id: purpose, archivedAt: expect.any(String) }, previous: { archivedAt: null } },
      },
      {
        type: 'permissible_purpose.updated',
        data: { object: { description: 'Now described.' }, previous: { description: expect.stringMatching(/^Evented/) } },
      },
    ]);
    expect(await eventsOf(pack)).toMatchObject([
      { type: 'account_package.archived', data: { object: { id: pack, archivedAt: expect.any(String) } } },
      {
        type: 'account_package.updated',
        data: { object: { permissiblePurposeIds: [purpose, other].sort() }, previous: { permissiblePurposeIds: [purpose] } },
      },
    ]);
    const seenByStranger = await world.server.request(
      EventsDocument,
      { first: 10, filter: { objectId: purpose } },
      withKey(world.stranger.apiKey),
    );
    expect(seenByStranger.data?.events.nodes).toEqual([]);
  });

  test('records nothing for a refused change', async () => {
    const purpose = await newPurpose('Refused');
    await archivePurpose(purpose);
    expect((await archivePurpose(purpose)).data?.archivePermissiblePurpose).toMatchObject({ code: 'INVALID_STATE' });
    expect((await eventsOf(purpose)).map((event) => event.type)).toEqual(['permissible_purpose.archived']);
  });
});

describe('changing a sub-account’s purposes and packages', () => {
  test('replaces both sets as create would set them; either field alone counts the other as empty; both left out keep them', async () => {
    const [first, second, third] = [await newPurpose(), await newPurpose(), await newPurpose()];
    const pkg = await newPackage([second]);
    const holder = await givenSubAccount(
      world.server,
      world.platform.apiKey,
      subAccountInput({ permissiblePurposeIds: [first], createApiKey: false }),
    );
    const id = holder.subAccount.id;

    const viaPackage = await update({ id, accountPackageIds: [pkg] });
    expect(viaPackage.data?.updateSubAccount).toMatchObject({
      subAccount: { permissiblePurposes: [{ id: second }], accountPackages: [{ id: pkg }] },
    });
    const kept = await update({ id, ownerTitle: 'Owner' });
    expect(kept.data?.updateSubAccount).toMatchObject({
      subAccount: { permissiblePurposes: [{ id: second }], accountPackages: [{ id: pkg }] },
    });

    const both = await update({ id, permissiblePurposeIds: [second, third], accountPackageIds: [pkg] });
    if (both.data?.updateSubAccount.__typename !== 'UpdateSubAccountPayload') return expect.fail(JSON.stringify(both));
    expect(ids(both.data.updateSubAccount.subAccount.permissiblePurposes)).toEqual([second, third].sort());

    const disagree = await update({ id, permissiblePurposeIds: [first], accountPackageIds: [pkg] });
    expect(disagree.data?.updateSubAccount).toMatchObject({
      code: 'VALIDATION',
      fields: ['input.permissiblePurposeIds', 'input.accountPackageIds'],
    });
    const none = await update({ id, permissiblePurposeIds: [] });
    expect(none.data?.updateSubAccount).toMatchObject({
      code: 'VALIDATION',
      fields: ['input.permissiblePurposeIds', 'input.accountPackageIds'],
    });
    const foreign = await update({ id, permissiblePurposeIds: [await givenPurpose(world.server, world.stranger, 'Foreign purpose')] });
    expect(foreign.data?.updateSubAccount).toMatchObject({ code: 'VALIDATION', fields: ['input.permissiblePurposeIds'] });

    const direct = await update({ id, permissiblePurposeIds: [first] });
    expect(direct.data?.updateSubAccount).toMatchObject({ subAccount: { permissiblePurposes: [{ id: first }], accountPackages: [] } });

    const events = await world.server.request(
      EventsDocument,
      { first: 1, filter: { type: ['sub_account.updated'], objectId: id } },
      byPlatform(),
    );
    expect(events.data?.events.nodes[0]?.data).toMatchObject({
      object: { permissiblePurposeIds: [first], accountPackageIds: [] },
      previous: { permissiblePurposeIds: [second, third].sort(), accountPackageIds: [pkg] },
    });
  });

  test('is the platform’s alone: the sub-account’s own key may send them as they are, and nothing else', async () => {
    const [first, second] = [await newPurpose(), await newPurpose()];
    const pkg = await newPackage([first]);
    const holder = await givenSubAccount(
      world.server,
      world.platform.apiKey,
      subAccountInput({ permissiblePurposeIds: [first], accountPackageIds: [pkg] }),
    );
    const own = withKey(holder.apiKey!.secret!);
    const id = holder.subAccount.id;

    const asTheyAre = await update({ id, ownerTitle: 'CEO', permissiblePurposeIds: [first], accountPackageIds: [pkg] }, own);
    expect(asTheyAre.data?.updateSubAccount).toMatchObject({
      subAccount: { permissiblePurposes: [{ id: first }], accountPackages: [{ id: pkg }] },
    });

    const refusal = {
      __typename: 'ValidationError',
      code: 'VALIDATION',
      fields: ['input.permissiblePurposeIds', 'input.accountPackageIds'],
      message: 'Only the platform changes the permissible purposes and packages of a sub-account: leave them out.',
    };
    for (const change of [
      { permissiblePurposeIds: [first, second], accountPackageIds: [pkg] },
      { permissiblePurposeIds: [first] },
      { accountPackageIds: [] as string[] },
      { permissiblePurposeIds: ['ppur_doesnotexist0000000000000'], accountPackageIds: [pkg] },
    ]) {
      expect((await update({ id, ...change }, own)).data?.updateSubAccount).toEqual(refusal);
    }
    const unchanged = await update({ id }, withKey(world.platform.apiKey));
    expect(unchanged.data?.updateSubAccount).toMatchObject({
      subAccount: { permissiblePurposes: [{ id: first }], accountPackages: [{ id: pkg }] },
    });
  });
});
