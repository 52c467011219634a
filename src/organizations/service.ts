// Making an organization: the organization, its production tenant and its invoicing entity,
// always together. Used by the admin bootstrap and by onboarding completion.
import type { Prisma, Transaction } from '../db/database.ts';
import { newApiKey, type IssuedApiKey } from '../api-keys/service.ts';
import { displayedName, optional, optionalDisplayedName, optionalText, phoneNumber } from '../core/validation.ts';
import type { InvoicingEntity, Organization, Tenant } from '../generated/prisma/client.ts';
import type { TenantEnvironment } from '../generated/prisma/enums.ts';
import { newId } from '../core/ids.ts';
import { validatePassword } from '../auth/passwords.ts';
import { signInOrPrepareUser } from '../auth/sign-in.ts';

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
  /** E.164. */
  phone?: string | null | undefined;
  logoUrl?: string | null | undefined;
}

export interface ProvisionedOrganization {
  organization: Organization;
  tenant: Tenant;
  invoicingEntity: InvoicingEntity;
}

export const validateOrganizationName = (name: string, field: string) => displayedName(name, ORGANIZATION_NAME_MAX_LENGTH, field);

/** The invoicing entity's details a person types (on onboarding, and when editing them later). */
export type InvoicingDetails = Pick<
  BusinessDetails,
  'legalName' | 'addressLine1' | 'addressLine2' | 'city' | 'postalCode' | 'vatNumber' | 'phone'
>;

const optionalPhone = optional(phoneNumber);

/** Those details checked: trimmed and bounded, blank as null; field names are reported under `prefix`. */
export function validateInvoicingDetails(form: InvoicingDetails, prefix: string) {
  return {
    legalName: optionalDisplayedName(form.legalName, 200, `${prefix}legalName`),
    addressLine1: optionalText(form.addressLine1, 200, `${prefix}addressLine1`),
    addressLine2: optionalText(form.addressLine2, 200, `${prefix}addressLine2`),
    city: optionalText(form.city, 100, `${prefix}city`),
    postalCode: optionalText(form.postalCode, 20, `${prefix}postalCode`),
    vatNumber: optionalText(form.vatNumber, 32, `${prefix}vatNumber`),
    phone: optionalPhone(form.phone, `${prefix}phone`),
  };
}

/**
 * Runs inside the caller's transaction, so a failure later in the caller leaves nothing behind. Its
 * one tenant is PRODUCTION, unless `environment` says otherwise (a sandbox platform's sub-account).
 */
export async function provisionOrganization(
  tx: Transaction,
  details: BusinessDetails & { environment?: TenantEnvironment },
): Promise<ProvisionedOrganization> {
  const environment = details.environment ?? 'PRODUCTION';
  const organization = await tx.organization.create({
    data: { id: newId('Organization'), name: details.organizationName, country: details.country },
  });
  const tenant = await tx.tenant.create({
    data: {
      id: newId('Tenant'),
      organizationId: organization.id,
      name: environment === 'PRODUCTION' ? 'Production' : 'Sandbox',
      environment,
    },
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
      phone: details.phone ?? null,
      logoUrl: details.logoUrl ?? null,
      isDefault: true,
    },
  });
  return { organization, tenant, invoicingEntity };
}

export interface BootstrappedOrganization extends ProvisionedOrganization {
  apiKey: IssuedApiKey;
}

export interface NewOrganization {
  name: string;
  country: string;
  /** A person who owns it (signs in to grant STANDARD connections): an existing user with the right password, or a new one. */
  owner?: { email: string; password: string } | null | undefined;
}

/** The admin bootstrap: a new organization with its production tenant and a first API key. */
export async function createOrganizationWithKey(prisma: Prisma, input: NewOrganization): Promise<BootstrappedOrganization> {
  const organizationName = validateOrganizationName(input.name, 'input.name');
  const owner = input.owner
    ? await signInOrPrepareUser(prisma, input.owner.email, validatePassword(input.owner.password, 'input.owner.password'))
    : null;
  return prisma.$transaction(async (tx) => {
    const provisioned = await provisionOrganization(tx, { organizationName, country: input.country });
    if (owner) {
      if (owner.create) await tx.user.create({ data: { id: owner.id, ...owner.create } });
      await tx.organizationMember.create({ data: { organizationId: provisioned.organization.id, userId: owner.id, role: 'OWNER' } });
    }
    const { row, secret } = newApiKey({ name: 'Default', tenantId: provisioned.tenant.id, environment: 'PRODUCTION' });
    return { ...provisioned, apiKey: { apiKey: await tx.apiKey.create({ data: row }), secret } };
  });
}

/** Whether the user belongs to the organization now (a member removed a moment ago no longer does). */
export async function isOrganizationMember(
  db: Pick<Transaction, 'organizationMember'>,
  organizationId: string,
  userId: string,
): Promise<boolean> {
  const member = await db.organizationMember.findUnique({
    where: { organizationId_userId: { organizationId, userId } },
    select: { userId: true },
  });
  return member !== null;
}
