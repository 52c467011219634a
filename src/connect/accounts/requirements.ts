// What a connected account still owes its platform: the business details the platform requires now
// that its organization's invoicing entity lacks, and for those it was given a deadline for
// (requirement-deadlines.ts), by when, or that the deadline passed. The entity lives in the connected
// tenant, so it is read across tenants by design (auth/cross-tenant.ts, 'connected-account-requirements'):
// what leaves this file is a list of detail names and dates, never their values.
import type { Transaction } from '../../db/database.ts';
import type { AccountRequirement, ConnectedAccount } from '../../generated/prisma/client.ts';
import type { BusinessDetail, RequirementsDisabledReason } from '../../generated/prisma/enums.ts';
import { missingBusinessDetails, type BusinessDetailValues } from '../platform/requirements.ts';

export type AccountForRequirements = Pick<
  ConnectedAccount,
  'id' | 'status' | 'connectionType' | 'platformOrganizationId' | 'connectedOrganizationId' | 'connectedTenantId' | 'grantedTenantIds'
>;

/** Every column a business detail is made of (requirements.ts in platform says which). */
const DETAIL_COLUMNS = {
  legalName: true,
  addressLine1: true,
  city: true,
  postalCode: true,
  vatNumber: true,
  phone: true,
} as const satisfies Record<keyof BusinessDetailValues, true>;

/** Read-only queries: the unconfined client, or any transaction of it. */
export type RequirementsReader = Pick<Transaction, 'connectPlatform' | 'tenant' | 'invoicingEntity' | 'accountRequirement'>;
type Reader = Omit<RequirementsReader, 'accountRequirement'>;

/** `ConnectedAccount.requirements` (API.md, Requirements with deadlines). */
export interface AccountRequirements {
  /** Missing and not past a deadline: due with a deadline (currentDeadline), or at once with none. */
  currentlyDue: BusinessDetail[];
  /** Missing past its deadline: the account is restricted until they are given. */
  pastDue: BusinessDetail[];
  /** The earliest deadline of what is currently due; null when nothing due has one. */
  currentDeadline: Date | null;
  disabledReason: RequirementsDisabledReason | null;
}

export type DeadlineRow = Pick<AccountRequirement, 'connectedAccountId' | 'detail' | 'deadline' | 'pastDueAt'>;

/** The requirements of an account that lacks `missing` (in the platform's order) and holds these deadlines. */
export function requirementsFrom(missing: readonly BusinessDetail[], deadlines: readonly DeadlineRow[]): AccountRequirements {
  const rowOf = new Map(deadlines.map((row) => [row.detail, row]));
  const pastDue = missing.filter((detail) => rowOf.get(detail)?.pastDueAt);
  const currentlyDue = missing.filter((detail) => !pastDue.includes(detail));
  const dates = currentlyDue.flatMap((detail) => rowOf.get(detail)?.deadline.getTime() ?? []);
  return {
    currentlyDue,
    pastDue,
    currentDeadline: dates.length > 0 ? new Date(Math.min(...dates)) : null,
    disabledReason: pastDue.length > 0 ? 'REQUIREMENTS_PAST_DUE' : null,
  };
}

/** The deadline rows of these accounts, by account id. */
export async function deadlinesOf(db: Pick<RequirementsReader, 'accountRequirement'>, accountIds: readonly string[]) {
  const rows = await db.accountRequirement.findMany({
    where: { connectedAccountId: { in: [...accountIds] } },
    select: { connectedAccountId: true, detail: true, deadline: true, pastDueAt: true },
  });
  const byAccount = new Map<string, DeadlineRow[]>();
  for (const row of rows) byAccount.set(row.connectedAccountId, [...(byAccount.get(row.connectedAccountId) ?? []), row]);
  return byAccount;
}

/** `requirements` of each account, in order: what is missing (missingDetailsOf) and the deadlines, in one query more. */
export async function requirementsOf(db: RequirementsReader, accounts: readonly AccountForRequirements[]): Promise<AccountRequirements[]> {
  const [missing, deadlines] = await Promise.all([
    missingDetailsOf(db, accounts),
    deadlinesOf(
      db,
      accounts.map(({ id }) => id),
    ),
  ]);
  return accounts.map((account, index) => requirementsFrom(missing[index] ?? [], deadlines.get(account.id) ?? []));
}

interface GrantedTenant {
  id: string;
  organizationId: string;
  environment: string;
  createdAt: Date;
}

/**
 * The tenant whose default invoicing entity holds the account's business details. EXPRESS: its one
 * tenant. STANDARD: a tenant its organization granted (never one it did not: API.md, Tenants), the
 * production one when granted, else the earliest granted.
 */
function detailsTenantOf(account: AccountForRequirements, granted: Map<string, GrantedTenant>): string | null {
  if (account.connectionType === 'EXPRESS') return account.connectedTenantId;
  const tenants = account.grantedTenantIds
    .map((id) => granted.get(id))
    .filter((tenant): tenant is GrantedTenant => tenant?.organizationId === account.connectedOrganizationId)
    .sort(
      (a, b) =>
        Number(b.environment === 'PRODUCTION') - Number(a.environment === 'PRODUCTION') || a.createdAt.getTime() - b.createdAt.getTime(),
    );
  return tenants[0]?.id ?? null;
}

/**
 * The required details each account lacks, in order, in at most three queries for any number of
 * accounts (the platforms' settings, STANDARD accounts' granted tenants, the default entities):
 * - a REVOKED account owes nothing (and its platform learns nothing more of it);
 * - a PENDING account owes everything its platform requires (it has no organization yet);
 * - otherwise, what the platform requires now and the entity lacks (all of it when there is none).
 */
export async function missingDetailsOf(db: Reader, accounts: readonly AccountForRequirements[]): Promise<BusinessDetail[][]> {
  const platforms = await db.connectPlatform.findMany({
    where: { organizationId: { in: [...new Set(accounts.map((account) => account.platformOrganizationId))] } },
    select: { organizationId: true, requiredBusinessDetails: true },
  });
  const required = new Map(platforms.map((platform) => [platform.organizationId, platform.requiredBusinessDetails]));
  const requiredOf = (account: AccountForRequirements) =>
    account.status === 'REVOKED' ? [] : (required.get(account.platformOrganizationId) ?? []);
  const checked = accounts.filter((account) => account.status !== 'PENDING' && requiredOf(account).length > 0);

  const grantedIds = [
    ...new Set(checked.filter((account) => account.connectionType === 'STANDARD').flatMap((account) => account.grantedTenantIds)),
  ];
  const granted =
    grantedIds.length === 0
      ? new Map<string, GrantedTenant>()
      : new Map(
          (
            await db.tenant.findMany({
              where: { id: { in: grantedIds } },
              select: { id: true, organizationId: true, environment: true, createdAt: true },
            })
          ).map((tenant) => [tenant.id, tenant]),
        );
  const tenantOf = new Map(checked.map((account) => [account.id, detailsTenantOf(account, granted)]));

  const tenantIds = [...new Set([...tenantOf.values()].filter((id): id is string => id !== null))];
  const entities =
    tenantIds.length === 0
      ? []
      : await db.invoicingEntity.findMany({
          where: { tenantId: { in: tenantIds }, isDefault: true },
          select: { tenantId: true, ...DETAIL_COLUMNS },
          orderBy: { createdAt: 'asc' },
        });
  const entityOf = new Map<string, BusinessDetailValues>();
  for (const { tenantId, ...values } of entities) if (!entityOf.has(tenantId)) entityOf.set(tenantId, values);

  return accounts.map((account) => {
    const details = requiredOf(account);
    if (account.status === 'PENDING') return [...details];
    const tenantId = tenantOf.get(account.id);
    const entity = tenantId ? entityOf.get(tenantId) : undefined;
    return entity ? missingBusinessDetails(details, entity) : [...details];
  });
}

/** EXPRESS: onboarding completed. STANDARD: always, its organization existed with its details before it consented. */
export const detailsSubmitted = (account: Pick<ConnectedAccount, 'connectionType' | 'onboardingCompletedAt'>): boolean =>
  account.connectionType === 'STANDARD' || account.onboardingCompletedAt !== null;
