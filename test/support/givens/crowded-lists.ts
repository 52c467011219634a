// More rows than a small page holds in every list a caller can see, and in every list below them:
// what a test needs to tell a list that costs the same at any page size from one that pays per row.
// Written straight through the root Prisma client, in bulk (createMany): hundreds of rows per caller
// would take minutes through the mutations, and what is counted later is the reading, not the writing.
import { newId, type IdentifiedType } from '../../../src/core/ids.ts';
import type { TestServer } from '../server.ts';

/** Rows per list and per nested list: more than a page of 10, fewer than one of 100. */
export const ROWS_PER_LIST = 12;

/** Where a caller acts, as `viewer` tells it. */
export interface CallerScope {
  organizationId: string;
  tenantId: string;
  actingForAccountId: string | null;
}

const VIEWER = '{ viewer { organizationId tenantId actingAs { id } } }';

/** The scope of the caller these headers authenticate. */
export async function scopeOf(server: TestServer, headers: Record<string, string>): Promise<CallerScope> {
  const response = await server.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: VIEWER }),
  });
  const { data } = (await response.json()) as {
    data: { viewer: { organizationId: string; tenantId: string; actingAs: { id: string } | null } };
  };
  return {
    organizationId: data.viewer.organizationId,
    tenantId: data.viewer.tenantId,
    actingForAccountId: data.viewer.actingAs?.id ?? null,
  };
}

const ids = (type: IdentifiedType, count = ROWS_PER_LIST) => Array.from({ length: count }, () => newId(type));
const each = <T>(values: readonly string[], row: (id: string, index: number) => T) => values.map(row);

/** Organizations, each with one production tenant: for sub-accounts, connected accounts and platforms. */
async function organizations(server: TestServer, label: string) {
  const organizationIds = ids('Organization');
  const tenantIds = ids('Tenant');
  await server.prisma.organization.createMany({
    data: each(organizationIds, (id, index) => ({ id, name: `${label} ${index}`, country: 'DE' })),
  });
  await server.prisma.tenant.createMany({
    data: each(tenantIds, (id, index) => ({
      id,
      organizationId: organizationIds[index] ?? '',
      name: 'Production',
      environment: 'PRODUCTION' as const,
    })),
  });
  return organizationIds.map((organizationId, index) => ({ organizationId, tenantId: tenantIds[index] ?? '' }));
}

async function apiKeys(server: TestServer, tenantId: string) {
  await server.prisma.apiKey.createMany({
    data: each(ids('ApiKey'), (id, index) => ({
      id,
      tenantId,
      name: `Crowded key ${index}`,
      prefix: 'sk_test_crowd',
      secretHash: `crowded-${id}`,
    })),
  });
}

/**
 * Purposes and packages of the scope's catalog: the first package has every purpose, the others one
 * each (a list per package of them all would only multiply the bytes every sub-account answers).
 */
async function catalog(server: TestServer, scope: CallerScope) {
  const owner = { platformOrganizationId: scope.organizationId, platformTenantId: scope.tenantId };
  const purposeIds = ids('PermissiblePurpose');
  const packageIds = ids('AccountPackage');
  await server.prisma.permissiblePurpose.createMany({
    data: each(purposeIds, (id, index) => ({ id, ...owner, name: `Crowded purpose ${index}` })),
  });
  await server.prisma.accountPackage.createMany({
    data: each(packageIds, (id, index) => ({ id, ...owner, name: `Crowded package ${index}` })),
  });
  await server.prisma.accountPackagePurpose.createMany({
    data: packageIds.flatMap((accountPackageId, index) =>
      (index === 0 ? purposeIds : purposeIds.slice(0, 1)).map((permissiblePurposeId) => ({ accountPackageId, permissiblePurposeId })),
    ),
  });
  return { purposeIds, packageIds };
}

/** Sub-accounts of the scope's tenant, each with every purpose and package of the catalog and its own keys. */
async function subAccounts(
  server: TestServer,
  scope: CallerScope,
  { purposeIds, packageIds }: { purposeIds: string[]; packageIds: string[] },
) {
  const owned = await organizations(server, 'Crowded branch');
  const subAccountIds = ids('SubAccount');
  await server.prisma.subAccount.createMany({
    data: each(subAccountIds, (id, index) => ({
      id,
      platformOrganizationId: scope.organizationId,
      platformTenantId: scope.tenantId,
      organizationId: owned[index]?.organizationId ?? '',
      tenantId: owned[index]?.tenantId ?? '',
      accountName: `Crowded branch ${id}`,
      firstName: 'Ada',
      lastName: 'Lovelace',
      emailAddress: 'ada@branch.example',
      addressLine1: '1 Main St',
      addressCity: 'Springfield',
      addressPostalCode: '62701',
      addressCountry: 'US',
    })),
  });
  await server.prisma.subAccountPurpose.createMany({
    data: subAccountIds.flatMap((subAccountId) => purposeIds.map((permissiblePurposeId) => ({ subAccountId, permissiblePurposeId }))),
  });
  await server.prisma.subAccountPackage.createMany({
    data: subAccountIds.flatMap((subAccountId) => packageIds.map((accountPackageId) => ({ subAccountId, accountPackageId }))),
  });
  for (const { tenantId } of owned) await apiKeys(server, tenantId);
}

/** Events the scope sees: in its tenant, and, when about a connected account, of its platform too. */
function events(scope: CallerScope, connectedAccountId: string | null = null) {
  return each(ids('Event'), (id) => ({
    id,
    type: connectedAccountId ? 'connected_account.created' : 'connection.created',
    organizationId: scope.organizationId,
    tenantId: scope.tenantId,
    connectedAccountId,
    platformOrganizationId: connectedAccountId ? scope.organizationId : null,
    objectId: connectedAccountId ?? id,
    data: { object: { status: 'PENDING', connectionType: 'EXPRESS' } },
    actorType: 'SYSTEM' as const,
  }));
}

/** An ACTIVE account, EXPRESS or STANDARD (whose business details are in the tenant it granted). */
function activeAccount(
  id: string,
  platformOrganizationId: string,
  connected: { organizationId: string; tenantId: string },
  standard: boolean,
) {
  const { organizationId: connectedOrganizationId, tenantId } = connected;
  const kind = standard
    ? { connectionType: 'STANDARD' as const, onboardingMode: 'FULL' as const, grantedTenantIds: [tenantId] }
    : { connectionType: 'EXPRESS' as const, onboardingMode: 'EXPRESS' as const, connectedTenantId: tenantId };
  return { id, platformOrganizationId, connectedOrganizationId, ...kind, status: 'ACTIVE' as const, onboardingCompletedAt: new Date() };
}

/**
 * The scope's connected accounts, EXPRESS and STANDARD in turn, each with its history, each
 * connecting an organization of its own but the last, which connects the scope's own organization
 * (whose tenants the caller may see: the nested `tenants` list is not empty). The platform requires
 * a business detail, so `requirements` reads every tenant and entity it can. And as many platforms
 * connected to the scope's organization (`connectedPlatforms`).
 */
async function connectedAccounts(server: TestServer, scope: CallerScope) {
  const connected = await organizations(server, 'Crowded merchant');
  const platforms = await organizations(server, 'Crowded platform');
  const accountIds = ids('ConnectedAccount');
  await server.prisma.connectPlatform.updateMany({
    where: { organizationId: scope.organizationId },
    data: { requiredBusinessDetails: ['PHONE'] },
  });
  await server.prisma.connectedAccount.createMany({
    data: [
      ...each(accountIds, (id, index) =>
        activeAccount(id, scope.organizationId, index === accountIds.length - 1 ? scope : (connected[index] ?? scope), index % 2 === 1),
      ),
      ...platforms.map((platform) => activeAccount(newId('ConnectedAccount'), platform.organizationId, scope, false)),
    ],
  });
  await server.prisma.event.createMany({ data: accountIds.flatMap((id) => events(scope, id)) });
}

/** The scope's webhook endpoints; the first has a delivery of each of the scope's own events. */
async function webhooks(server: TestServer, scope: CallerScope, eventIds: string[]) {
  const endpointIds = ids('WebhookEndpoint');
  await server.prisma.webhookEndpoint.createMany({
    data: each(endpointIds, (id, index) => ({
      id,
      organizationId: scope.organizationId,
      tenantId: scope.tenantId,
      actingForAccountId: scope.actingForAccountId,
      url: `https://hooks.example/${index}`,
      eventTypes: ['*'],
      secretCiphertext: 'not read by any list',
    })),
  });
  const [endpointId = ''] = endpointIds;
  const sequences = await server.prisma.event.findMany({ where: { id: { in: eventIds } }, select: { id: true, sequence: true } });
  await server.prisma.webhookDelivery.createMany({
    data: sequences.map((event) => ({
      id: newId('WebhookDelivery'),
      endpointId,
      eventId: event.id,
      eventSequence: event.sequence,
      organizationId: scope.organizationId,
      tenantId: scope.tenantId,
    })),
  });
  return endpointId;
}

/**
 * Fills every list the scope's caller can see with ROWS_PER_LIST rows, and every list below their
 * rows as well. Returns the required arguments of the lists that take one (`webhookDeliveries`).
 */
export async function crowdEveryList(server: TestServer, scope: CallerScope): Promise<Record<string, string>> {
  const prisma = server.prisma;
  // A connection made through the API, whose JSON columns (settings, sync, hints) the new rows copy.
  const template = await prisma.connection.findFirstOrThrow({ where: { tenantId: scope.tenantId } });
  const { secretHints, syncConfig, settings, providerType, createdBy } = template;
  await prisma.connection.createMany({
    data: each(ids('Connection'), (id, index) => ({
      id,
      tenantId: scope.tenantId,
      name: `Crowded connection ${id} ${index}`,
      providerType,
      status: 'PUBLISHED' as const,
      secretHints: secretHints ?? {},
      syncConfig: syncConfig ?? {},
      settings: settings ?? {},
      createdBy,
      updatedBy: createdBy,
    })),
  });
  await prisma.tenant.createMany({
    data: each(ids('Tenant'), (id, index) => ({
      id,
      organizationId: scope.organizationId,
      name: `Crowded sandbox ${id} ${index}`,
      environment: 'SANDBOX' as const,
    })),
  });
  await apiKeys(server, scope.tenantId);
  const ownEvents = events(scope);
  await prisma.event.createMany({ data: ownEvents });
  await subAccounts(server, scope, await catalog(server, scope));
  await connectedAccounts(server, scope);
  return {
    endpointId: await webhooks(
      server,
      scope,
      ownEvents.map((event) => event.id),
    ),
  };
}
