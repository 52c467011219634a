// A world with every kind of neighbour a caller has: a platform with its own data, two sub-accounts,
// an EXPRESS and a STANDARD connected account (whose organization has a tenant it did not grant), an
// account session for the EXPRESS account with every component it can have, and another platform
// with the same. Every row carries a marker in its name, and its ids are kept by
// marker, so a test can say "this caller must never see anything marked X".
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import {
  CreateApiKeyDocument,
  CreateConnectionDocument,
  CreatePermissiblePurposeDocument,
  CreateSubAccountDocument,
  CreateTenantDocument,
  type CreateConnectionInput,
} from '../../generated/graphql.ts';
import { actingFor, givenActiveAccount, givenConnectPlatform } from './connect.ts';
import type { OrganizationFixture } from './organizations.ts';
import { givenOAuthPlatform, givenOwnedOrganization, givenStandardAccount } from './oauth.ts';
import { ALL_COMPONENTS, fromPage, givenAccountSession, givenAllowedOrigins } from './account-sessions.ts';
import { withKey, type TestServer } from '../server.ts';

export const MARKERS = {
  otherPlatform: 'mkQworld',
  platformOrganization: 'mkPorg',
  platformTenant: 'mkPtenant',
  platformSandbox: 'mkPsandbox',
  subAccountA: 'mkPsubA',
  subAccountB: 'mkPsubB',
  purposeA: 'mkPcatA',
  purposeB: 'mkPcatB',
  insideSubAccountA: 'mkSubAIn',
  insideSubAccountB: 'mkSubBIn',
  expressOrganization: 'mkExpOrg',
  insideExpress: 'mkExpIn',
  standardOrganization: 'mkStdOrg',
  insideStandard: 'mkStdIn',
  ungrantedTenant: 'mkUngranted',
} as const;

export type Marker = (typeof MARKERS)[keyof typeof MARKERS];
type Headers = Record<string, string>;

function connectionInput(name: string): CreateConnectionInput {
  return {
    name,
    providerType: 'STRIPE',
    secrets: { stripe: { publishableKey: 'pk_test_isolation000000', secretKey: 'sk_test_isolation0000000000' } },
  };
}

export async function buildIsolationWorld(server: TestServer) {
  const ids = new Map<Marker, string[]>(Object.values(MARKERS).map((marker) => [marker, []]));
  const keep = (marker: Marker, ...values: string[]) => ids.get(marker)?.push(...values);

  async function connection(name: string, headers: Headers) {
    const response = await server.request(CreateConnectionDocument, { input: connectionInput(name) }, headers);
    const result = response.data?.createConnection;
    if (result?.__typename !== 'CreateConnectionPayload') return expect.fail(JSON.stringify(response));
    return result.connection.id;
  }
  async function purpose(owner: OrganizationFixture, name: string) {
    const response = await server.request(CreatePermissiblePurposeDocument, { input: { name } }, withKey(owner.apiKey));
    if (response.data?.createPermissiblePurpose.__typename !== 'CreatePermissiblePurposePayload')
      return expect.fail(JSON.stringify(response));
    return response.data.createPermissiblePurpose.permissiblePurpose.id;
  }
  async function subAccount(owner: OrganizationFixture, accountName: string, purposeId: string) {
    const input = {
      accountName,
      firstName: 'Ada',
      lastName: 'Lovelace',
      emailAddress: 'ada@branch.example',
      address: { line1: '1 Main St', city: 'Springfield', postalCode: '62701', country: 'US' },
      permissiblePurposeIds: [purposeId],
    };
    const response = await server.request(CreateSubAccountDocument, { input }, withKey(owner.apiKey));
    const result = response.data?.createSubAccount;
    if (result?.__typename !== 'CreateSubAccountPayload' || !result.apiKey?.secret) return expect.fail(JSON.stringify(response));
    return { ...result.subAccount, apiKey: result.apiKey.secret, apiKeyId: result.apiKey.id };
  }
  async function apiKey(owner: OrganizationFixture, name: string) {
    const response = await server.request(CreateApiKeyDocument, { input: { name } }, withKey(owner.apiKey));
    if (response.data?.createApiKey.__typename !== 'CreateApiKeyPayload') return expect.fail(JSON.stringify(response));
    return response.data.createApiKey.apiKey.id;
  }
  const rename = (organizationId: string, name: string) =>
    server.prisma.organization.update({ where: { id: organizationId }, data: { name } });

  // The platform under test, and what it owns in its own tenant.
  const platform = await givenOAuthPlatform(server, `${MARKERS.platformOrganization} Platform`);
  keep(MARKERS.platformTenant, platform.tenantId, platform.apiKeyId);
  keep(MARKERS.platformTenant, await connection(`${MARKERS.platformTenant} connection`, withKey(platform.apiKey)));
  keep(MARKERS.platformTenant, await apiKey(platform, `${MARKERS.platformTenant} key`));

  // Its sandbox: a key for tests, which must reach nothing of production (the tenant's name is shown to
  // every key of the organization by design, so only what is inside carries the marker).
  const sandboxResponse = await server.request(
    CreateTenantDocument,
    { input: { name: 'Sandbox', environment: 'SANDBOX' } },
    withKey(platform.apiKey),
  );
  const sandbox = sandboxResponse.data?.createTenant;
  if (sandbox?.__typename !== 'CreateTenantPayload' || !sandbox.apiKey.secret) return expect.fail(JSON.stringify(sandboxResponse));
  keep(
    MARKERS.platformSandbox,
    sandbox.apiKey.id,
    await connection(`${MARKERS.platformSandbox} connection`, withKey(sandbox.apiKey.secret)),
  );

  // Two sub-accounts, each with its own purpose and a connection inside its tenant.
  const purposeA = await purpose(platform, `${MARKERS.purposeA} purpose`);
  const purposeB = await purpose(platform, `${MARKERS.purposeB} purpose`);
  keep(MARKERS.purposeA, purposeA);
  keep(MARKERS.purposeB, purposeB);
  const subAccountA = await subAccount(platform, `${MARKERS.subAccountA} branch`, purposeA);
  const subAccountB = await subAccount(platform, `${MARKERS.subAccountB} branch`, purposeB);
  keep(MARKERS.subAccountA, subAccountA.id, subAccountA.organizationId, subAccountA.tenantId, subAccountA.apiKeyId);
  keep(MARKERS.subAccountB, subAccountB.id, subAccountB.organizationId, subAccountB.tenantId, subAccountB.apiKeyId);
  keep(MARKERS.insideSubAccountA, await connection(`${MARKERS.insideSubAccountA} connection`, withKey(subAccountA.apiKey)));
  keep(MARKERS.insideSubAccountB, await connection(`${MARKERS.insideSubAccountB} connection`, withKey(subAccountB.apiKey)));

  // An EXPRESS account, onboarded, with a connection in its tenant.
  const express = await givenActiveAccount(server, platform);
  await rename(express.organizationId, `${MARKERS.expressOrganization} merchant`);
  keep(MARKERS.expressOrganization, express.accountId, express.organizationId, express.tenantId);
  keep(MARKERS.insideExpress, await connection(`${MARKERS.insideExpress} connection`, actingFor(platform, express.accountId)));
  // A page of the platform holding a session for it.
  await givenAllowedOrigins(server, platform);
  const session = await givenAccountSession(server, platform, express.accountId, ALL_COMPONENTS);

  // A STANDARD account granting one tenant of two; the other tenant holds a connection too.
  const owner = await givenOwnedOrganization(server);
  await rename(owner.organizationId, `${MARKERS.standardOrganization} merchant`);
  await server.prisma.tenant.update({ where: { id: owner.sandboxTenantId }, data: { name: `${MARKERS.ungrantedTenant} sandbox` } });
  const standard = await givenStandardAccount(server, platform, owner, { tenantIds: [owner.tenantId] });
  keep(MARKERS.standardOrganization, standard.accountId, owner.organizationId, owner.tenantId);
  keep(MARKERS.insideStandard, await connection(`${MARKERS.insideStandard} connection`, standard.actingIn(owner.tenantId)));
  const ungranted = await server.prisma.connection.create({
    data: {
      id: `conn_ungranted${randomBytes(8).toString('hex')}`,
      tenantId: owner.sandboxTenantId,
      name: `${MARKERS.ungrantedTenant} connection`,
      providerType: 'STRIPE',
      status: 'PUBLISHED',
      secretHints: {},
      syncConfig: {},
      settings: {},
      createdBy: 'test',
      updatedBy: 'test',
    },
  });
  keep(MARKERS.ungrantedTenant, owner.sandboxTenantId, ungranted.id);

  // Another platform with the same kinds of things.
  const other = await givenConnectPlatform(server, `${MARKERS.otherPlatform} Platform`);
  keep(MARKERS.otherPlatform, other.organizationId, other.tenantId, other.apiKeyId);
  keep(MARKERS.otherPlatform, await connection(`${MARKERS.otherPlatform} connection`, withKey(other.apiKey)));
  const otherPurpose = await purpose(other, `${MARKERS.otherPlatform} purpose`);
  const otherSubAccount = await subAccount(other, `${MARKERS.otherPlatform} branch`, otherPurpose);
  keep(MARKERS.otherPlatform, otherPurpose, otherSubAccount.id, otherSubAccount.tenantId, otherSubAccount.apiKeyId);
  const otherExpress = await givenActiveAccount(server, other);
  await rename(otherExpress.organizationId, `${MARKERS.otherPlatform} merchant`);
  keep(MARKERS.otherPlatform, otherExpress.accountId, otherExpress.organizationId, otherExpress.tenantId);
  keep(MARKERS.otherPlatform, await connection(`${MARKERS.otherPlatform} inside connection`, actingFor(other, otherExpress.accountId)));

  return {
    ids,
    platformApiKeyId: platform.apiKeyId,
    platformTenantId: platform.tenantId,
    sandboxTenantId: sandbox.tenant.id,
    callers: {
      platform: withKey(platform.apiKey),
      platformSandbox: withKey(sandbox.apiKey.secret),
      otherPlatform: withKey(other.apiKey),
      subAccount: withKey(subAccountA.apiKey),
      actingForExpress: actingFor(platform, express.accountId),
      actingForStandard: standard.actingIn(owner.tenantId),
      sessionForExpress: fromPage(session.clientSecret),
    },
  };
}

export type IsolationWorld = Awaited<ReturnType<typeof buildIsolationWorld>>;
