// How a platform presents itself to the people it sends to this server (onboarding, account update,
// OAuth consent, connection links): its name (its branding invoicing entity's legal name, else the
// organization's), its logo and its main colour. The logo is an https URL the visitor's browser
// loads; the server never fetches it.
import { ValidationError } from '../../core/domain-errors.ts';
import type { Prisma } from '../../db/database.ts';
import { webUrl } from '../../core/validation.ts';

/** What the hosted pages show of the platform. */
export interface Brand {
  name: string;
  logoUrl: string | null;
  /** `#rrggbb`: the pages' buttons and sidebar. */
  primaryColor: string | null;
}

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

/** `#rrggbb`, lower-cased; anything else is VALIDATION (a colour lands in the pages' style sheet). */
export function brandColor(value: string, field: string): string {
  if (!HEX_COLOR.test(value)) throw new ValidationError(`${field} must be a colour as #rrggbb, e.g. #3b3bd4.`, [field]);
  return value.toLowerCase();
}

/** An https URL, whatever the deployment: the pages' content policy loads no other image. */
export function logoUrl(value: URL, field: string): string {
  if (value.protocol !== 'https:') throw new ValidationError(`${field} must be an https URL.`, [field]);
  return webUrl(value, field);
}

export async function platformBrand(prisma: Prisma, platformOrganizationId: string): Promise<Brand> {
  const platform = await prisma.organization.findUniqueOrThrow({
    where: { id: platformOrganizationId },
    select: {
      name: true,
      connectPlatform: {
        select: { logoUrl: true, primaryColor: true, brandingInvoicingEntity: { select: { legalName: true, logoUrl: true } } },
      },
    },
  });
  const settings = platform.connectPlatform;
  const branding = settings?.brandingInvoicingEntity;
  return {
    name: branding?.legalName ?? platform.name,
    logoUrl: settings?.logoUrl ?? branding?.logoUrl ?? null,
    // Checked on the way out too: a colour goes into CSS.
    primaryColor: settings?.primaryColor && HEX_COLOR.test(settings.primaryColor) ? settings.primaryColor : null,
  };
}
