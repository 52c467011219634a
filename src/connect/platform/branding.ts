// How a platform presents itself to the people it sends to this server (onboarding, OAuth consent):
// its branding invoicing entity's legal name and logo, else the organization's name.
import type { Prisma } from '../../db/database.ts';

/** What the hosted pages show of the platform. */
export interface Brand {
  name: string;
  logoUrl: string | null;
}

export async function platformBrand(prisma: Prisma, platformOrganizationId: string): Promise<Brand> {
  const platform = await prisma.organization.findUniqueOrThrow({
    where: { id: platformOrganizationId },
    select: { name: true, connectPlatform: { select: { brandingInvoicingEntity: { select: { legalName: true, logoUrl: true } } } } },
  });
  const branding = platform.connectPlatform?.brandingInvoicingEntity;
  return { name: branding?.legalName ?? platform.name, logoUrl: branding?.logoUrl ?? null };
}
