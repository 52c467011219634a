// A platform's Connect settings: where onboarding sends users back, whose branding the onboarding
// page shows, how long an onboarding link lives, and which business details it requires.
import type { Prisma } from '../../db/database.ts';
import { isUniqueViolation } from '../../db/prisma-errors.ts';
import type { TenantDb } from '../../db/tenant-scope.ts';
import { ConflictError, ConnectNotEnabledError, NotFoundError, ValidationError } from '../../core/domain-errors.ts';
import type { ConnectPlatform } from '../../generated/prisma/client.ts';
import type { BusinessDetail } from '../../generated/prisma/enums.ts';
import { browserUrl, type UrlPolicy } from '../../core/secure-urls.ts';
import { allowedOrigins } from '../../core/browser-origins.ts';
import type { Actor } from '../../auth/actor.ts';
import { byKey } from '../../events/record.ts';
import { lockAccounts, setDeadlines, settleRequirements } from '../accounts/requirement-deadlines.ts';
import { requirementsOf } from '../accounts/requirements.ts';
import { brandColor, logoUrl } from './branding.ts';

export const DEFAULT_LINK_TTL_SECONDS = 7 * 24 * 60 * 60;
export const MIN_LINK_TTL_SECONDS = 5 * 60;
export const MAX_LINK_TTL_SECONDS = 30 * 24 * 60 * 60;
/** How long accounts already onboarded have to give a detail their platform starts requiring, by default. */
export const DEFAULT_REQUIREMENTS_GRACE_MS = 30 * 24 * 60 * 60 * 1000;

export interface ConnectPlatformSettings {
  redirectUrl?: URL | null | undefined;
  /** An invoicing entity of the platform's own tenant; null removes the branding. */
  brandingInvoicingEntityId?: string | null | undefined;
  /** The hosted pages' logo and colour (./branding.ts); null removes them. */
  logoUrl?: URL | null | undefined;
  primaryColor?: string | null | undefined;
  onboardingLinkTtlSeconds?: number | null | undefined;
  /** What onboarding refuses to complete without; duplicates are dropped, empty requires nothing. */
  requiredBusinessDetails?: readonly BusinessDetail[] | null | undefined;
  /** The origins whose pages may use the platform's account sessions; empty allows none. */
  allowedOrigins?: readonly string[] | null | undefined;
}

/** What updateConnectPlatform takes beyond the settings. */
export interface ConnectPlatformUpdate extends ConnectPlatformSettings {
  /** When accounts already onboarded must have given the details this update starts requiring. */
  requirementsDeadline?: Date | null | undefined;
}

/** The deadline given, in the future; by default 30 days from now. */
function validDeadline(deadline: Date | null | undefined, now: Date): Date {
  if (deadline == null) return new Date(now.getTime() + DEFAULT_REQUIREMENTS_GRACE_MS);
  if (deadline.getTime() <= now.getTime()) {
    throw new ValidationError('input.requirementsDeadline must be in the future.', ['input.requirementsDeadline']);
  }
  return deadline;
}

function validTtl(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < MIN_LINK_TTL_SECONDS || seconds > MAX_LINK_TTL_SECONDS) {
    throw new ValidationError(
      `input.onboardingLinkTtlSeconds must be a whole number from ${MIN_LINK_TTL_SECONDS} to ${MAX_LINK_TTL_SECONDS}.`,
      ['input.onboardingLinkTtlSeconds'],
    );
  }
  return seconds;
}

async function validBrandingEntity(db: TenantDb, id: string | null): Promise<string | null> {
  if (id === null) return null;
  const entity = await db.invoicingEntity.findUnique({ where: { id }, select: { id: true } });
  if (!entity) throw new NotFoundError(`No invoicing entity ${id} in this tenant.`);
  return entity.id;
}

/** The settings as columns, for the fields the caller gave (undefined: leave as is). */
async function settingsData(db: TenantDb, urls: UrlPolicy, settings: ConnectPlatformSettings) {
  return {
    ...(settings.redirectUrl ? { redirectUrl: browserUrl(settings.redirectUrl, urls, 'input.redirectUrl') } : {}),
    ...(settings.brandingInvoicingEntityId !== undefined
      ? { brandingInvoicingEntityId: await validBrandingEntity(db, settings.brandingInvoicingEntityId) }
      : {}),
    ...(settings.logoUrl !== undefined ? { logoUrl: settings.logoUrl && logoUrl(settings.logoUrl, 'input.logoUrl') } : {}),
    ...(settings.primaryColor !== undefined
      ? { primaryColor: settings.primaryColor && brandColor(settings.primaryColor, 'input.primaryColor') }
      : {}),
    ...(settings.onboardingLinkTtlSeconds != null ? { onboardingLinkTtlSeconds: validTtl(settings.onboardingLinkTtlSeconds) } : {}),
    // In the order given, each once. A change applies at once: to onboardings not yet completed,
    // and to what every connected account has `currentlyDue`.
    ...(settings.requiredBusinessDetails != null ? { requiredBusinessDetails: [...new Set(settings.requiredBusinessDetails)] } : {}),
    // A change applies to live sessions at once: every process hears of it (src/auth/session-origins.ts).
    ...(settings.allowedOrigins != null ? { allowedOrigins: allowedOrigins(settings.allowedOrigins, urls, 'input.allowedOrigins') } : {}),
  };
}

export async function requireConnectPlatform(db: TenantDb, actor: Actor): Promise<ConnectPlatform> {
  const platform = await db.connectPlatform.findUnique({ where: { organizationId: actor.actingScope.organizationId } });
  if (!platform) throw new ConnectNotEnabledError('Connect is not enabled for this organization: call enableConnectPlatform first.');
  return platform;
}

export async function enableConnectPlatform(
  db: TenantDb,
  actor: Actor,
  urls: UrlPolicy,
  settings: ConnectPlatformSettings & { redirectUrl: URL },
): Promise<ConnectPlatform> {
  const data = await settingsData(db, urls, settings);
  try {
    return await db.connectPlatform.create({
      data: {
        organizationId: actor.actingScope.organizationId,
        redirectUrl: browserUrl(settings.redirectUrl, urls, 'input.redirectUrl'),
        onboardingLinkTtlSeconds: DEFAULT_LINK_TTL_SECONDS,
        ...data,
      },
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ConflictError('Connect is already enabled for this organization: use updateConnectPlatform.');
    }
    throw error;
  }
}

/**
 * Changes the given settings. A change of the required details also changes what every account
 * owes, in the same transaction: accounts already onboarded get `requirementsDeadline` for each
 * detail newly required that they lack, and each account whose requirements changed gets its
 * `connected_account.requirements_updated`. `connected` is the unconfined client of the
 * 'connected-account-requirements' flow: what the accounts lack is in their own tenants.
 */
export async function updateConnectPlatform(
  db: TenantDb,
  actor: Actor,
  urls: UrlPolicy,
  settings: ConnectPlatformUpdate,
  connected: Prisma,
): Promise<ConnectPlatform> {
  const data = await settingsData(db, urls, settings);
  const deadline = validDeadline(settings.requirementsDeadline, actor.now);
  const platform = await requireConnectPlatform(db, actor);
  const organizationId = platform.organizationId;
  if (data.requiredBusinessDetails === undefined) return db.connectPlatform.update({ where: { organizationId }, data });
  return connected.$transaction(async (tx) => {
    const ids = await tx.connectedAccount.findMany({
      where: { platformOrganizationId: organizationId, status: { not: 'REVOKED' } },
      select: { id: true },
    });
    const accounts = await lockAccounts(
      tx,
      ids.map(({ id }) => id),
    );
    const before = await requirementsOf(tx, accounts);
    const { requiredBusinessDetails: required } = await tx.connectPlatform.findUniqueOrThrow({ where: { organizationId } });
    const updated = await tx.connectPlatform.update({ where: { organizationId }, data });
    const added = updated.requiredBusinessDetails.filter((detail) => !required.includes(detail));
    await setDeadlines(tx, accounts, added, deadline);
    await settleRequirements(tx, accounts, before, { now: actor.now, actor: byKey(actor) });
    return updated;
  }, REQUIREMENTS_CHANGE_TRANSACTION);
}

/**
 * One event per account whose requirements change, in the change's transaction: about 5 ms an
 * account on PostgreSQL, 12 ms on PGlite (1,000 accounts: 5.0 s and 12.2 s), past Prisma's default 5 s.
 */
const REQUIREMENTS_CHANGE_TRANSACTION = { timeout: 120_000 };
