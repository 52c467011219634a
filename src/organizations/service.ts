// Making an organization: the organization, its production tenant and its invoicing entity,
// always together. Used by the admin bootstrap and by onboarding completion.
import type { Prisma, Transaction } from '../db/database.ts';
import { newApiKey, type IssuedApiKey } from '../api-keys/service.ts';
import { requiredText } from '../validation.ts';
import type { InvoicingEntity, Organization, Tenant } from '../generated/prisma/client.ts';
import { newId } from '../ids.ts';


export const ORGANIZATION_NAME_MAX_LENGTH = 200;

export interface BusinessDetails {
  organizationName: string;
  country: string;
  legalName?: string | null | undefined;
  addressLine1?: string | null | undefined;
  addressLine2?: string | null | undefined;
  city?: string | null | undefined;
  postalCode?: string | null | undefined;
  vatNumber?: string | null | undefined;
  logoUrl?: string | null | undefined;
}

export interface ProvisionedOrganization {
  organization: Organization;
  tenant: Tenant;
  invoicingEntity: InvoicingEntity;
}

export const validateOrganizationName = (name: string, field: string) =>
  requiredText(name, ORGANIZATION_NAME_MAX_LENGTH, field);

/** Runs inside the caller's transaction, so a failure later in the caller leaves nothing behind. */
export async function provisionOrganization(tx: Transaction, details: BusinessDetails): Promise<ProvisionedOrganization> {
  const organization = await tx.organization.create({
    data: { id: newId('Organization'), name: details.organizationName, country: details.country },
  });
  const tenant = await tx.tenant.create({
    data: { id: newId('Tenant'), organizationId: organization.id, name: 'Production', environment: 'PRODUCTION' },
  });
  const invoicingEntity = await tx.invoicingEntity.create({
    data: {
      id: newId('InvoicingEntity'),
      tenantId: tenant.id,
      legalName: details.legalName?.trim() || details.organizationName,
      country: details.country,
      addressLine1: details.addressLine1 ?? null,
      addressLine2: details.addressLine2 ?? null,
      city: details.city ?? null,
      postalCode: details.postalCode ?? null,
      vatNumber: details.vatNumber ?? null,
      logoUrl: details.logoUrl ?? null,
      isDefault: true,
    },
  });
  return { organization, tenant, invoicingEntity };
}

export interface BootstrappedOrganization extends ProvisionedOrganization {
  apiKey: IssuedApiKey;
}

/** The admin bootstrap: a new organization with its production tenant and a first API key. */
export async function createOrganizationWithKey(
  prisma: Prisma,
  input: { name: string; country: string },
): Promise<BootstrappedOrganization> {
  const organizationName = validateOrganizationName(input.name, 'input.name');
  return prisma.$transaction(async (tx) => {
    const provisioned = await provisionOrganization(tx, { organizationName, country: input.country });
    const { row, secret } = newApiKey({ name: 'Default', tenantId: provisioned.tenant.id, environment: 'PRODUCTION' });
    return { ...provisioned, apiKey: { apiKey: await tx.apiKey.create({ data: row }), secret } };
  });
}
