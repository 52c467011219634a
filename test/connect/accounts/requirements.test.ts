// What a connected account still owes its platform (requirements.currentlyDue, detailsSubmitted),
// computed from what its organization actually has, and the edit of those details after onboarding.
import { describe, expect } from 'vitest';
import { platformWorld } from '../../support/world.ts';
import {
  AccountRequirementsDocument,
  AccountsRequirementsDocument,
  ActingAsRequirementsDocument,
  EventsDocument,
  RevokeConnectedAccountDocument,
  SuspendConnectedAccountDocument,
  UpdateConnectPlatformDocument,
  type BusinessDetail,
} from '../../generated/graphql.ts';
import { updateBusinessDetails, type BusinessDetailsChange } from '../../../src/connect/accounts/business-details.ts';
import { givenConnectPlatform } from '../../support/givens/connect.ts';
import type { OrganizationFixture } from '../../support/givens/organizations.ts';
import { givenOAuthPlatform, givenOwnedOrganization, givenStandardAccount } from '../../support/givens/oauth.ts';
import { prismaOperationsOf } from '../../support/prisma-operations.ts';
import { withKey } from '../../support/server.ts';

const { test, world } = platformWorld({}, async (seed) => {
  const platform = await seed.connectPlatform('Requiring Platform');
  return { platform };
});

const requireDetails = async (requiredBusinessDetails: BusinessDetail[], of: OrganizationFixture = world.platform) => {
  const response = await world.server.request(UpdateConnectPlatformDocument, { input: { requiredBusinessDetails } }, withKey(of.apiKey));
  expect(response.data?.updateConnectPlatform.__typename).toBe('UpdateConnectPlatformPayload');
};

const requirementsOf = async (id: string, of: OrganizationFixture = world.platform) => {
  const response = await world.server.request(AccountRequirementsDocument, { id }, withKey(of.apiKey));
  return response.data?.connectedAccount ?? expect.fail(JSON.stringify(response));
};

/** An ACTIVE express account onboarded on the hosted page (organization name and country only), and its user's id. */
async function givenOnboardedAccount() {
  const onboarded = await world.platform.onboardedUser();
  const user = await world.server.prisma.user.findUniqueOrThrow({ where: { email: onboarded.email } });
  return { ...onboarded, userId: user.id };
}

/** What the hosted page saves for a signed-in user. */
const saveDetails = ({ userId, ...change }: Omit<BusinessDetailsChange, 'now' | 'editor'> & { userId: string }) =>
  world.server.prisma.$transaction((tx) =>
    updateBusinessDetails(tx, { ...change, editor: { type: 'USER', id: userId }, now: world.server.clock.now() }),
  );

describe('requirements.currentlyDue and detailsSubmitted', () => {
  test("follow the platform's requirements as they change, against what the organization's invoicing entity holds", async () => {
    const { accountId } = await givenOnboardedAccount();
    expect(await requirementsOf(accountId)).toMatchObject({ status: 'ACTIVE', detailsSubmitted: true, requirements: { currentlyDue: [] } });

    await requireDetails(['VAT_NUMBER', 'LEGAL_NAME', 'PHONE', 'ADDRESS']);
    try {
      // The hosted page gave no VAT number, phone or address; the legal name defaults to the organization's name.
      expect((await requirementsOf(accountId)).requirements.currentlyDue).toEqual(['VAT_NUMBER', 'PHONE', 'ADDRESS']);
      await requireDetails(['PHONE']);
      expect((await requirementsOf(accountId)).requirements.currentlyDue).toEqual(['PHONE']);
    } finally {
      await requireDetails([]);
    }
    expect((await requirementsOf(accountId)).requirements.currentlyDue).toEqual([]);
  });

  test('list everything required for a PENDING account, nothing for a REVOKED one, and the same for a SUSPENDED one as when ACTIVE', async () => {
    const { accountId } = await givenOnboardedAccount();
    await requireDetails(['ADDRESS', 'PHONE']);
    try {
      const { account } = await world.platform.expressAccount();
      expect(await requirementsOf(account.id)).toMatchObject({
        detailsSubmitted: false,
        requirements: { currentlyDue: ['ADDRESS', 'PHONE'] },
      });

      await world.server.request(SuspendConnectedAccountDocument, { input: { id: accountId } }, withKey(world.platform.apiKey));
      expect(await requirementsOf(accountId)).toMatchObject({
        status: 'SUSPENDED',
        detailsSubmitted: true,
        requirements: { currentlyDue: ['ADDRESS', 'PHONE'] },
      });
      await world.server.request(RevokeConnectedAccountDocument, { input: { id: accountId } }, withKey(world.platform.apiKey));
      expect(await requirementsOf(accountId)).toMatchObject({
        status: 'REVOKED',
        detailsSubmitted: true,
        requirements: { currentlyDue: [] },
      });
    } finally {
      await requireDetails([]);
    }
  });

  test("read a STANDARD account's granted tenant (production first), never one it did not grant; its details count as submitted", async () => {
    const oauthPlatform = await givenOAuthPlatform(world.server, 'Standard Platform');
    await requireDetails(['VAT_NUMBER'], oauthPlatform);
    const owner = await givenOwnedOrganization(world.server);
    await world.server.prisma.invoicingEntity.create({
      data: {
        id: `ie_sandbox${Date.now()}`,
        tenantId: owner.sandboxTenantId,
        legalName: 'Sandbox Ltd',
        country: 'DE',
        vatNumber: 'DE111111111',
        isDefault: true,
      },
    });
    // Production's entity has no VAT number; the sandbox's has one.
    const sandboxOnly = await givenStandardAccount(world.server, oauthPlatform, owner, { tenantIds: [owner.sandboxTenantId] });
    expect(await requirementsOf(sandboxOnly.accountId, oauthPlatform)).toMatchObject({
      detailsSubmitted: true,
      requirements: { currentlyDue: [] },
    });
    const both = await givenStandardAccount(world.server, oauthPlatform, owner, { tenantIds: [owner.sandboxTenantId, owner.tenantId] });
    expect(both.accountId).toBe(sandboxOnly.accountId);
    expect((await requirementsOf(both.accountId, oauthPlatform)).requirements.currentlyDue).toEqual(['VAT_NUMBER']);
  });

  test('are readable while acting for the account, and another platform cannot read the account at all', async () => {
    const { accountId } = await givenOnboardedAccount();
    await requireDetails(['PHONE']);
    try {
      const acting = await world.server.request(ActingAsRequirementsDocument, {}, world.platform.actingFor(accountId));
      expect(acting.data?.viewer.actingAs).toEqual({ id: accountId, requirements: { currentlyDue: ['PHONE'] } });
      const other = await givenConnectPlatform(world.server, 'Prying Platform');
      const foreign = await world.server.request(AccountRequirementsDocument, { id: accountId }, withKey(other.apiKey));
      expect(foreign.data?.connectedAccount).toBeNull();
    } finally {
      await requireDetails([]);
    }
  });

  test('cost a fixed number of queries for a page of 100 accounts, not one or more per account', async () => {
    const crowded = await givenConnectPlatform(world.server, 'Crowded Platform');
    await requireDetails(['VAT_NUMBER', 'PHONE'], crowded);
    const ids = Array.from({ length: 100 }, (_, index) => `${index}${Math.random().toString(36).slice(2, 10)}`);
    // Half onboarded (each with its organization, tenant and entity; every other one with a VAT number), half PENDING.
    const active = ids.slice(0, 50);
    await world.server.prisma.organization.createMany({
      data: active.map((id) => ({ id: `org_n1${id}`, name: `Org ${id}`, country: 'DE' })),
    });
    await world.server.prisma.tenant.createMany({
      data: active.map((id) => ({
        id: `ten_n1${id}`,
        organizationId: `org_n1${id}`,
        name: 'Production',
        environment: 'PRODUCTION' as const,
      })),
    });
    await world.server.prisma.invoicingEntity.createMany({
      data: active.map((id, index) => ({
        id: `ie_n1${id}`,
        tenantId: `ten_n1${id}`,
        legalName: id,
        country: 'DE',
        isDefault: true,
        vatNumber: index % 2 ? 'DE1' : null,
      })),
    });
    await world.server.prisma.connectedAccount.createMany({
      data: ids.map((id, index) => ({
        id: `cacc_n1${id}`,
        platformOrganizationId: crowded.organizationId,
        connectionType: 'EXPRESS' as const,
        onboardingMode: 'EXPRESS' as const,
        ...(index < 50
          ? {
              status: 'ACTIVE' as const,
              connectedOrganizationId: `org_n1${id}`,
              connectedTenantId: `ten_n1${id}`,
              onboardingCompletedAt: new Date(),
            }
          : { status: 'PENDING' as const, pendingEmail: `${id}@x.example`, pendingOrganizationName: id }),
      })),
    });

    const count = async (first: number) => {
      const { count: calls, result: response } = await prismaOperationsOf(world.server, () =>
        world.server.request(AccountsRequirementsDocument, { first }, withKey(crowded.apiKey)),
      );
      expect(response.data?.connectedAccounts.nodes).toHaveLength(first);
      return { calls, nodes: response.data?.connectedAccounts.nodes ?? [] };
    };
    const ten = await count(10);
    const hundred = await count(100);
    expect(hundred.calls).toBe(ten.calls);
    // The page, its count, the platforms' requirements, the entities: 4 (152 when each account asked alone).
    expect(hundred.calls).toBeLessThanOrEqual(6);
    const due = new Map(hundred.nodes.map((node) => [node.id, node.requirements.currentlyDue]));
    expect(ids.map((id) => due.get(`cacc_n1${id}`))).toEqual(
      ids.map((_, index) => (index < 50 && index % 2 ? ['PHONE'] : ['VAT_NUMBER', 'PHONE'])),
    );
    expect(hundred.nodes.filter((node) => node.detailsSubmitted)).toHaveLength(50);
  });
});

describe('editing the business details after onboarding (the account update page)', () => {
  test('saves them to the default invoicing entity, clears what was due, and tells the platform what is due, not the values', async () => {
    const { accountId, tenantId, userId } = await givenOnboardedAccount();
    await requireDetails(['VAT_NUMBER', 'PHONE']);
    try {
      expect((await requirementsOf(accountId)).requirements.currentlyDue).toEqual(['VAT_NUMBER', 'PHONE']);
      const saved = await saveDetails({
        connectedAccountId: accountId,
        userId,
        details: {
          legalName: 'Edited GmbH',
          addressLine1: 'Unter den Linden 5',
          city: 'Berlin',
          postalCode: '10117',
          vatNumber: 'DE987654321',
          phone: '+4930555000',
        },
      });
      expect(saved.currentlyDue).toEqual([]);
      expect(await world.server.prisma.invoicingEntity.findFirstOrThrow({ where: { tenantId, isDefault: true } })).toMatchObject({
        legalName: 'Edited GmbH',
        vatNumber: 'DE987654321',
        phone: '+4930555000',
        postalCode: '10117',
      });
      expect((await requirementsOf(accountId)).requirements.currentlyDue).toEqual([]);

      const events = await world.server.request(
        EventsDocument,
        { first: 5, filter: { objectId: accountId, type: ['connected_account.updated'] } },
        withKey(world.platform.apiKey),
      );
      const [event] = events.data?.events.nodes ?? [];
      expect(event).toMatchObject({
        actor: { type: 'USER', id: userId },
        connectedAccountId: accountId,
        data: {
          object: { id: accountId, requirements: { currentlyDue: [] } },
          previous: { requirements: { currentlyDue: ['VAT_NUMBER', 'PHONE'] } },
        },
      });
      for (const value of ['Edited GmbH', 'DE987654321', '+4930555000', 'Unter den Linden'])
        expect(JSON.stringify(event)).not.toContain(value);
    } finally {
      await requireDetails([]);
    }
  });

  test("checks them like onboarding, including the platform's current requirements, and changes nothing when refused", async () => {
    const { accountId, tenantId, userId } = await givenOnboardedAccount();
    const before = await world.server.prisma.invoicingEntity.findFirstOrThrow({ where: { tenantId, isDefault: true } });
    await requireDetails(['ADDRESS', 'PHONE']);
    try {
      const refusals: [BusinessDetailsChange['details'], string[]][] = [
        [{ legalName: 'Shop', addressLine1: 'Street 1', city: ' ', postalCode: null, phone: null }, ['city', 'postalCode', 'phone']],
        [{ legalName: 'Shop', addressLine1: 'Street 1', city: 'Berlin', postalCode: '10115', phone: '12345' }, ['phone']],
        [{ legalName: ' ', addressLine1: 'Street 1', city: 'Berlin', postalCode: '10115', phone: '+4930555000' }, ['legalName']],
        [{ legalName: 'Shop', addressLine1: 'x'.repeat(201), city: 'Berlin', postalCode: '10115', phone: '+4930555000' }, ['addressLine1']],
      ];
      for (const [details, fields] of refusals) {
        await expect(saveDetails({ connectedAccountId: accountId, userId, details })).rejects.toMatchObject({ code: 'VALIDATION', fields });
      }
      expect(await world.server.prisma.invoicingEntity.findUniqueOrThrow({ where: { id: before.id } })).toEqual(before);
      const updates = await world.server.prisma.event.count({ where: { objectId: accountId, type: 'connected_account.updated' } });
      expect(updates).toBe(0);
    } finally {
      await requireDetails([]);
    }
  });

  test("is only for an ACTIVE EXPRESS account's own members", async () => {
    const details = { legalName: 'Shop' };
    const { accountId, userId } = await givenOnboardedAccount();
    const stranger = await givenOnboardedAccount();
    await expect(saveDetails({ connectedAccountId: accountId, userId: stranger.userId, details })).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    await expect(saveDetails({ connectedAccountId: 'cacc_unknown', userId, details })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const { account } = await world.platform.expressAccount();
    await expect(saveDetails({ connectedAccountId: account.id, userId, details })).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await world.server.request(SuspendConnectedAccountDocument, { input: { id: accountId } }, withKey(world.platform.apiKey));
    await expect(saveDetails({ connectedAccountId: accountId, userId, details })).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});
