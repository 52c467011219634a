// A platform's Connect settings: where onboarding sends users back, whose branding the onboarding
// page shows, how long an onboarding link lives, and which business details it requires.
import { isUniqueViolation } from '../../db/prisma-errors.ts';
import type { TenantDb } from '../../db/tenant-scope.ts';
import { ConflictError, ConnectNotEnabledError, NotFoundError, ValidationError } from '../../core/domain-errors.ts';
import type { ConnectPlatform } from '../../generated/prisma/client.ts';
import type { BusinessDetail } from '../../generated/prisma/enums.ts';
import { browserUrl, type UrlPolicy } from '../../core/secure-urls.ts';
import type { Actor } from '../../auth/actor.ts';
import { brandColor, logoUrl } from './branding.ts';

export const DEFAULT_LINK_TTL_SECONDS = 7 * 24 * 60 * 60;
export const MIN_LINK_TTL_SECONDS = 5 * 60;
export const MAX_LINK_TTL_SECONDS = 30 * 24 * 60 * 60;

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

export async function updateConnectPlatform(
  db: TenantDb,
  actor: Actor,
  urls: UrlPolicy,
  settings: ConnectPlatformSettings,
): Promise<ConnectPlatform> {
  const data = await settingsData(db, urls, settings);
  const platform = await requireConnectPlatform(db, actor);
  return db.connectPlatform.update({ where: { organizationId: platform.organizationId }, data });
}
