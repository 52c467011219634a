// Requirements with deadlines: a detail a platform starts requiring is due by a deadline for the
// accounts already onboarded; past it (the injected clock moved, the background check run) it is
// past due and mutations while acting for the account are refused until its organization gives it.
import { describe, expect, onTestFinished } from 'vitest';
import {
  AccountDeadlinesDocument,
  ActingAsDeadlinesDocument,
  CreateConnectionDocument,
  EventsDocument,
  UpdateConnectPlatformDocument,
  type BusinessDetail,
  type UpdateConnectPlatformInput,
} from '../../generated/graphql.ts';
import { platformWorld } from '../../support/world.ts';
import { givenUpdateLink, postForm, signInToUpdatePage } from '../../support/givens/account-updates.ts';
import { actingFor, givenConnectPlatform, givenExpressAccount, givenOnboardedUser } from '../../support/givens/connect.ts';
import type { OrganizationFixture } from '../../support/givens/organizations.ts';
import { startTestServer, withKey, type TestServer } from '../../support/server.ts';
import { createPostgresDatabase } from '../../support/test-databases.ts';
import { givenEndpoint } from '../../support/givens/webhooks.ts';
import { prismaOperationsOf } from '../../support/prisma-operations.ts';
import { unique } from '../../support/unique.ts';

const ON_POSTGRES = process.env.TEST_DATABASE === 'postgres';
const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

const { test, world } = platformWorld();

async function updatePlatform(platform: OrganizationFixture, input: UpdateConnectPlatformInput, server: TestServer = world.server) {
  const response = await server.request(UpdateConnectPlatformDocument, { input }, withKey(platform.apiKey));
  return response.data?.updateConnectPlatform ?? expect.fail(JSON.stringify(response));
}

async function requireDetails(
  platform: OrganizationFixture,
  requiredBusinessDetails: BusinessDetail[],
  deadline?: Date,
  server = world.server,
) {
  const result = await updatePlatform(platform, { requiredBusinessDetails, requirementsDeadline: deadline?.toISOString() ?? null }, server);
  expect(result.__typename).toBe('UpdateConnectPlatformPayload');
}

async function requirementsOf(platform: OrganizationFixture, id: string, server = world.server) {
  const response = await server.request(AccountDeadlinesDocument, { id }, withKey(platform.apiKey));
  return response.data?.connectedAccount?.requirements ?? expect.fail(JSON.stringify(response));
}

async function requirementEvents(platform: OrganizationFixture, objectId: string, server = world.server) {
  const response = await server.request(
    EventsDocument,
    { first: 50, filter: { objectId, type: ['connected_account.requirements_updated'] } },
    withKey(platform.apiKey),
  );
  return [...(response.data?.events.nodes ?? expect.fail(JSON.stringify(response)))].reverse();
}

/** A mutation any acting platform may make: a connection in the account's tenant. */
const createConnectionFor = (platform: OrganizationFixture, accountId: string) =>
  world.server.request(
    CreateConnectionDocument,
    {
      input: {
        name: `Stripe ${unique()}`,
        providerType: 'STRIPE',
        secrets: { stripe: { publishableKey: 'pk_test_51Publishable0000', secretKey: 'sk_test_51DeadlineKey00000004242' } },
      },
    },
    actingFor(platform, accountId),
  );

describe('requirementsDeadline on updateConnectPlatform', () => {
  test('makes a newly required detail currentlyDue by the deadline for onboarded accounts (30 days by default), at once for new ones', async () => {
    const platform = await givenConnectPlatform(world.server, 'Deadline Platform');
    const { accountId } = await givenOnboardedUser(world.server, platform);
    const before = world.server.clock.now().getTime();
    await requireDetails(platform, ['PHONE']);
    const due = await requirementsOf(platform, accountId);
    expect(due).toMatchObject({ currentlyDue: ['PHONE'], pastDue: [], disabledReason: null });
    const deadline = new Date(due.currentDeadline ?? expect.fail('no deadline')).getTime();
    expect(deadline - before).toBeGreaterThanOrEqual(30 * DAY_MS);
    expect(deadline - before).toBeLessThan(30 * DAY_MS + 60_000);

    // A second detail with its own deadline: the earliest is the current one.
    const sooner = new Date(before + 7 * DAY_MS);
    await requireDetails(platform, ['PHONE', 'VAT_NUMBER'], sooner);
    expect(await requirementsOf(platform, accountId)).toMatchObject({
      currentlyDue: ['PHONE', 'VAT_NUMBER'],
      currentDeadline: sooner.toISOString(),
    });

    // An account created from now on owes both at once (its onboarding requires them): no deadline.
    const { account } = await givenExpressAccount(world.server, platform);
    expect(await requirementsOf(platform, account.id)).toEqual({
      currentlyDue: ['PHONE', 'VAT_NUMBER'],
      pastDue: [],
      currentDeadline: null,
      disabledReason: null,
    });

    const events = await requirementEvents(platform, accountId);
    expect(
      events.map(({ actor, data }) => [
        actor.type,
        (data as { previous: { requirements: { currentlyDue: string[] } } }).previous.requirements.currentlyDue,
      ]),
    ).toEqual([
      ['API_KEY', []],
      ['API_KEY', ['PHONE']],
    ]);
    expect(events[1]?.data).toMatchObject({
      object: { id: accountId, requirements: { currentlyDue: ['PHONE', 'VAT_NUMBER'], currentDeadline: sooner.toISOString() } },
    });
  });

  test('refuses a deadline in the past, changing nothing', async () => {
    const platform = await givenConnectPlatform(world.server, 'Late Platform');
    const past = new Date(world.server.clock.now().getTime() - 1000).toISOString();
    expect(await updatePlatform(platform, { requiredBusinessDetails: ['PHONE'], requirementsDeadline: past })).toMatchObject({
      __typename: 'ValidationError',
      fields: ['input.requirementsDeadline'],
    });
    const row = await world.server.prisma.connectPlatform.findUniqueOrThrow({ where: { organizationId: platform.organizationId } });
    expect(row.requiredBusinessDetails).toEqual([]);
  });
});

describe('past the deadline', () => {
  test('the detail is pastDue, mutations while acting are refused (reads work) until the update page gives it', async () => {
    const platform = await givenConnectPlatform(world.server, 'Restricting Platform');
    const user = await givenOnboardedUser(world.server, platform);
    const other = await givenOnboardedUser(world.server, platform);
    await requireDetails(platform, ['PHONE'], new Date(world.server.clock.now().getTime() + HOUR_MS));
    expect((await createConnectionFor(platform, user.accountId)).data?.createConnection.__typename).toBe('CreateConnectionPayload');

    world.server.clock.advance(2 * HOUR_MS);
    // Both accounts' deadlines passed; a second round finds nothing more.
    expect(await world.server.requirementDeadlines.deliverDue()).toBe(2);
    expect(await world.server.requirementDeadlines.deliverDue()).toBe(0);
    expect(await requirementsOf(platform, user.accountId)).toEqual({
      currentlyDue: [],
      pastDue: ['PHONE'],
      currentDeadline: null,
      disabledReason: 'REQUIREMENTS_PAST_DUE',
    });

    // Every process hears of the change from the database: within moments, here too.
    await expect
      .poll(async () => {
        const refused = await createConnectionFor(platform, user.accountId);
        return [refused.status, refused.errors?.[0]?.extensions?.code, refused.data ?? null];
      })
      .toEqual([403, 'CONNECTED_ACCOUNT_RESTRICTED', null]);
    const read = await world.server.request(ActingAsDeadlinesDocument, {}, actingFor(platform, user.accountId));
    expect(read.data?.viewer.actingAs).toMatchObject({ id: user.accountId, requirements: { pastDue: ['PHONE'] } });
    // The platform's own key is not acting for the account: it still manages it (here, an update link).
    const link = await givenUpdateLink(world.server, platform, user.accountId);

    const cookie = await signInToUpdatePage(world.server, link.path, user);
    const saved = await postForm(world.server, `${link.path}/save`, { legalName: 'Restricted GmbH', phone: '+4930555000' }, cookie);
    expect(saved.status, await saved.clone().text()).toBe(303);
    // Cleared at once: the very next request acts again.
    expect((await createConnectionFor(platform, user.accountId)).data?.createConnection.__typename).toBe('CreateConnectionPayload');
    expect(await requirementsOf(platform, user.accountId)).toEqual({
      currentlyDue: [],
      pastDue: [],
      currentDeadline: null,
      disabledReason: null,
    });

    const events = await requirementEvents(platform, user.accountId);
    expect(events.map(({ actor }) => actor.type)).toEqual(['API_KEY', 'SYSTEM', 'USER']);
    expect(events[1]?.data).toMatchObject({
      object: { requirements: { currentlyDue: [], pastDue: ['PHONE'], disabledReason: 'REQUIREMENTS_PAST_DUE' } },
      previous: { requirements: { currentlyDue: ['PHONE'], pastDue: [], disabledReason: null } },
    });
    expect(events[2]?.data).toMatchObject({ object: { requirements: { pastDue: [], disabledReason: null } } });

    // The platform no longer requiring the detail lifts the other account's restriction too.
    await requireDetails(platform, []);
    expect(await requirementsOf(platform, other.accountId)).toMatchObject({ pastDue: [], disabledReason: null });
    expect((await createConnectionFor(platform, other.accountId)).data?.createConnection.__typename).toBe('CreateConnectionPayload');
  });
});

describe.skipIf(!ON_POSTGRES)('two server processes on one PostgreSQL database (PGlite: one process per database)', () => {
  test('notice a passed deadline within their poll, and record it once per account', async () => {
    const database = await createPostgresDatabase({ migrated: true });
    const environment = { REQUIREMENTS_CHECK_POLL_MS: '100' };
    const one = await startTestServer({ databaseUrl: database.url, environment });
    const two = await startTestServer({ databaseUrl: database.url, environment });
    try {
      const platform = await givenConnectPlatform(one, 'Shared Platform');
      const accounts = [
        await givenOnboardedUser(one, platform),
        await givenOnboardedUser(two, platform),
        await givenOnboardedUser(one, platform),
      ];
      await requireDetails(platform, ['VAT_NUMBER'], new Date(one.clock.now().getTime() + HOUR_MS), one);
      one.clock.advance(2 * HOUR_MS);
      two.clock.advance(2 * HOUR_MS);
      // Both processes' rounds at once, besides their own polling.
      await Promise.all([one, two, one, two].map((server) => server.requirementDeadlines.deliverDue()));
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const { accountId } of accounts) {
        expect(await requirementsOf(platform, accountId, two)).toMatchObject({
          pastDue: ['VAT_NUMBER'],
          disabledReason: 'REQUIREMENTS_PAST_DUE',
        });
        const events = await requirementEvents(platform, accountId, two);
        expect(events.map(({ actor }) => actor.type)).toEqual(['API_KEY', 'SYSTEM']);
      }
    } finally {
      await two.close();
      await one.close();
      await database.drop();
    }
  });
});

describe('a detail required of many accounts at once', () => {
  test('is recorded for each, with its webhook deliveries, in as many statements for 6 accounts as for 2', async () => {
    // A server of its own whose webhook worker is stopped: a round it ran while the update commits would
    // be counted with the update's statements.
    const server = await startTestServer();
    onTestFinished(() => server.close());
    await server.webhooks.stop();
    const statementsFor = async (accounts: number) => {
      const platform = await givenConnectPlatform(server, `Many Accounts ${unique()}`);
      const ids: string[] = [];
      for (let index = 0; index < accounts; index += 1) ids.push((await givenOnboardedUser(server, platform)).accountId);
      const { endpoint } = await givenEndpoint(server, withKey(platform.apiKey), {
        url: 'https://hooks.platform.example/connect',
        eventTypes: ['connected_account.requirements_updated'],
        connect: true,
      });
      const { count } = await prismaOperationsOf(server, () => requireDetails(platform, ['PHONE'], undefined, server));
      const events = await Promise.all(ids.map((id) => requirementEvents(platform, id, server)));
      expect(events.map((recorded) => recorded.length)).toEqual(ids.map(() => 1));
      const deliveries = await server.prisma.webhookDelivery.findMany({ where: { endpointId: endpoint.id } });
      expect(deliveries.map((delivery) => delivery.eventId).sort()).toEqual(events.map(([event]) => event?.id).sort());
      return count;
    };
    expect(await statementsFor(6)).toBe(await statementsFor(2));
  });
});
