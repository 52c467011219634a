// What a request may see, model by model and relation by relation: the table a reviewer reads to
// know who sees which rows. The mechanics that apply it to every query are in tenant-scope.ts.

import type { TenantEnvironment } from '../generated/prisma/enums.ts';
import { recipientAllows, recipientWhere, type Recipient } from './event-recipients.ts';

type Args = Record<string, unknown>;
type Row = Record<string, unknown>;

/** Where a request acts, which every rule below is written against. */
export interface TenantScope {
  organizationId: string;
  tenantId: string;
  /** The organization's own keys see all its tenants; acting on behalf of an account sees one. */
  organizationWide?: boolean;
  /** The connected account a request acts for: it may read that account's own row. */
  actingForAccountId?: string;
  /** The environment of the key's tenant: a SANDBOX key sees nothing of Connect (production-only). */
  environment?: TenantEnvironment;
}

/** How a model's rows tie to a scope. */
export interface ModelRule {
  /** The condition every read, update and delete gets, at the top level and in nested lists. */
  where: (scope: TenantScope) => Args;
  /** The same condition tested on a loaded row: for to-one relations, which Prisma cannot filter in the query. */
  allows?: (scope: TenantScope, row: Row) => boolean;
  /** The columns `allows` reads, added to a nested `select` that lacks them. */
  columns?: string[];
  /** The columns a create gets. Absent: the model cannot be created through a confined client. */
  stamp?: (scope: TenantScope) => Args;
}

/** Rows owned through one column, which reads filter on and creates fill in. */
const ownedBy = (column: string, key: 'organizationId' | 'tenantId'): ModelRule => ({
  where: (scope) => ({ [column]: scope[key] }),
  allows: (scope, row) => row[column] === scope[key],
  columns: [column],
  stamp: (scope) => ({ [column]: scope[key] }),
});

/** Rows of a link table, visible when the row they hang from is (reached only as nested lists). */
const linkedTo = (relation: string, owner: ModelRule): ModelRule => ({
  where: (scope) => ({ [relation]: owner.where(scope) }),
});

const isSandbox = (scope: TenantScope) => scope.environment === 'SANDBOX';

/** A caller as a recipient of events: everything it may read of them. */
export const eventRecipient = (scope: TenantScope): Recipient => ({
  organizationId: scope.organizationId,
  tenantId: scope.tenantId,
  organizationWide: scope.organizationWide === true,
  sandbox: isSandbox(scope),
  part: 'all',
});

/** Connect is production-only: for a sandbox key's scope the rule matches no row and creates none. */
function productionOnly({ where, allows, columns, stamp }: ModelRule): ModelRule {
  const owner = columns?.[0];
  if (!owner) throw new Error('productionOnly needs the rule to name its owning column');
  return {
    // `in: []` on the owning column matches nothing, alone or AND-ed beside the caller's own condition.
    where: (scope) => (isSandbox(scope) ? { [owner]: { in: [] } } : where(scope)),
    ...(allows && { allows: (scope: TenantScope, row: Row) => !isSandbox(scope) && allows(scope, row) }),
    columns,
    ...(stamp && {
      stamp: (scope: TenantScope) => {
        if (isSandbox(scope)) throw new Error('Connect is production-only: a sandbox scope creates no Connect row');
        return stamp(scope);
      },
    }),
  };
}

/**
 * Sub-accounts and the catalog belong to the platform TENANT that made them: a sandbox key sees and
 * manages its own (sandbox) sub-accounts, purposes and packages, never production's (a test key
 * must not mint live keys nor archive a live purpose), and the other way round.
 */
const platformTenantScope = (scope: TenantScope) => ({ platformOrganizationId: scope.organizationId, platformTenantId: scope.tenantId });
const inPlatformTenant = (scope: TenantScope, row: Row) =>
  row.platformOrganizationId === scope.organizationId && row.platformTenantId === scope.tenantId;
const ownedByPlatformTenant: ModelRule = {
  where: platformTenantScope,
  allows: inPlatformTenant,
  columns: ['platformOrganizationId', 'platformTenantId'],
  stamp: platformTenantScope,
};

const subAccountRule: ModelRule = {
  // A platform's tenant sees its sub-accounts; a sub-account's own key sees itself and none of its siblings.
  where: (scope) => ({ OR: [platformTenantScope(scope), { organizationId: scope.organizationId }] }),
  allows: (scope, row) => inPlatformTenant(scope, row) || row.organizationId === scope.organizationId,
  columns: ['platformOrganizationId', 'platformTenantId', 'organizationId'],
  stamp: platformTenantScope,
};
const accountPackageRule = ownedByPlatformTenant;
/**
 * An endpoint belongs to whoever made it in its tenant: the tenant's own keys, or the platform while
 * acting for the account (it receives that account's tenant only, record.ts). Neither sees, rotates
 * or redirects the other's.
 */
const webhookEndpointRule: ModelRule = {
  where: (scope) => ({ tenantId: scope.tenantId, actingForAccountId: scope.actingForAccountId ?? null }),
  allows: (scope, row) => row.tenantId === scope.tenantId && (row.actingForAccountId ?? null) === (scope.actingForAccountId ?? null),
  columns: ['tenantId', 'actingForAccountId'],
  stamp: (scope) => ({
    tenantId: scope.tenantId,
    organizationId: scope.organizationId,
    actingForAccountId: scope.actingForAccountId ?? null,
  }),
};

export const modelRules: Record<string, ModelRule> = {
  Organization: ownedBy('id', 'organizationId'),
  Tenant: {
    // An organization's own keys see all its tenants; acting on behalf sees the one tenant it acts in,
    // so a STANDARD grant never shows a tenant its owner did not name.
    where: (scope) => ({ organizationId: scope.organizationId, ...(scope.organizationWide ? {} : { id: scope.tenantId }) }),
    allows: (scope, row) => row.organizationId === scope.organizationId && (scope.organizationWide === true || row.id === scope.tenantId),
    columns: ['organizationId', 'id'],
    stamp: (scope) => ({ organizationId: scope.organizationId }),
  },
  ApiKey: ownedBy('tenantId', 'tenantId'),
  InvoicingEntity: ownedBy('tenantId', 'tenantId'),
  // Connect belongs to the platform organization, managed from its production tenant only.
  ConnectPlatform: productionOnly(ownedBy('organizationId', 'organizationId')),
  ConnectedAccount: productionOnly({
    // The platform's accounts; while acting on behalf of one, that account too (`viewer.actingAs`).
    where: (scope) =>
      scope.actingForAccountId
        ? { OR: [{ platformOrganizationId: scope.organizationId }, { id: scope.actingForAccountId }] }
        : { platformOrganizationId: scope.organizationId },
    allows: (scope, row) =>
      row.platformOrganizationId === scope.organizationId ||
      (scope.actingForAccountId !== undefined && row.id === scope.actingForAccountId),
    columns: ['platformOrganizationId', 'id'],
    stamp: (scope) => ({ platformOrganizationId: scope.organizationId }),
  }),
  OnboardingLink: productionOnly(ownedBy('platformOrganizationId', 'organizationId')),
  // What a platform's accounts owe it by a deadline (connect/accounts/requirement-deadlines.ts).
  AccountRequirement: productionOnly(ownedBy('platformOrganizationId', 'organizationId')),
  // A platform's sessions, minted and revoked by its production keys. A session itself acts in its
  // account's scope, where this rule matches nothing: it never reads sessions, its own included
  // (its own fields go through the named flow 'account-session').
  AccountSession: productionOnly(ownedBy('platformOrganizationId', 'organizationId')),
  Event: {
    // An organization's own keys: its events and those of its connected accounts. Acting on behalf:
    // the tenant it acts in, only. A sandbox key: its tenant's events and the organization-level ones
    // no connected account made. One rule for callers and webhook endpoints: event-recipients.ts.
    // Written by recordEvent (src/events/record.ts), never created here.
    where: (scope) => recipientWhere(eventRecipient(scope)),
    allows: (scope, row) => recipientAllows(eventRecipient(scope), row),
    columns: ['organizationId', 'platformOrganizationId', 'tenantId', 'connectedAccountId'],
  },
  SubAccount: subAccountRule,
  PermissiblePurpose: ownedByPlatformTenant,
  AccountPackage: accountPackageRule,
  SubAccountPurpose: linkedTo('subAccount', subAccountRule),
  SubAccountPackage: linkedTo('subAccount', subAccountRule),
  AccountPackagePurpose: linkedTo('accountPackage', accountPackageRule),
  Connection: ownedBy('tenantId', 'tenantId'),
  // Made in the tenant a request acts in; the hosted page reads it by its token, unconfined.
  ConnectionLink: ownedBy('tenantId', 'tenantId'),
  WebhookEndpoint: webhookEndpointRule,
  // Queued by recordEvent with the event, never created here; seen with its endpoint.
  WebhookDelivery: {
    where: (scope) => ({ tenantId: scope.tenantId, endpoint: webhookEndpointRule.where(scope) }),
  },
};

/**
 * How a relation read through a confined client is confined:
 * - `target`: the related rows must pass their own model's rule (a condition on a list, a check on a
 *   single row, which comes back null when it fails);
 * - `{ throughParent }`: a deliberate exception, visible because the row it hangs from is, with the
 *   reason. Relations below it are confined again.
 * A relation that is not listed cannot be read through a confined client at all: the query fails.
 */
export type RelationRule = 'target' | { throughParent: string };

export const relationRules: Record<string, RelationRule> = {
  'Organization.tenants': 'target',
  'ConnectedAccount.events': 'target',
  'AccountSession.connectedAccount': 'target',
  'Event.connectedAccount': 'target',
  'Event.tenant': 'target',
  'WebhookEndpoint.deliveries': 'target',
  'WebhookDelivery.endpoint': 'target',
  'WebhookDelivery.event': 'target',
  'ConnectedAccount.connectedOrganization': {
    throughParent: "a platform sees the id and name of an organization connected to it (not its tenants: Tenant's rule applies below)",
  },
  'ConnectPlatform.brandingInvoicingEntity': 'target',
  'SubAccount.purposes': 'target',
  'SubAccount.packages': 'target',
  'SubAccountPurpose.permissiblePurpose': {
    throughParent: "a sub-account's purposes come from its platform's catalog; its own key sees them as part of itself",
  },
  'SubAccountPackage.accountPackage': {
    throughParent: "a sub-account's packages come from its platform's catalog; its own key sees them as part of itself",
  },
  'AccountPackage.purposes': 'target',
  'AccountPackagePurpose.permissiblePurpose': 'target',
};
