// The acting tenant's business details as GraphQL reads and edits them (`businessDetails`,
// `updateBusinessDetails`): an organization's own key in its own tenant, its platform acting for an
// ACTIVE EXPRESS account, or an account session's ACCOUNT_MANAGEMENT component. Editing for a connected
// account goes through the hosted account update page's rule (./business-details.ts: what the
// platform requires, `connected_account.updated`), here with the platform's key as the editor.
import type { Prisma } from '../../db/database.ts';
import type { TenantDb, TenantTx } from '../../db/tenant-scope.ts';
import { InvalidStateError, ValidationError } from '../../core/domain-errors.ts';
import type { Actor } from '../../auth/actor.ts';
import { byKey } from '../../events/record.ts';
import { validateInvoicingDetails, validateOrganizationName, type InvoicingDetails } from '../../organizations/service.ts';
import { updateBusinessDetails } from './business-details.ts';

export interface TenantBusinessDetails extends InvoicingDetails {
  organizationName: string;
  country: string;
}

/** The change: a field left out stays as it is; null or blank clears it (the legal name cannot be cleared). */
export type BusinessDetailsPatch = { [Field in keyof TenantBusinessDetails]?: TenantBusinessDetails[Field] | null | undefined };

const INVOICING_FIELDS = ['legalName', 'addressLine1', 'addressLine2', 'city', 'postalCode', 'vatNumber', 'phone'] as const;

async function defaultEntity(db: TenantDb | TenantTx | Prisma, tenantId: string) {
  return db.invoicingEntity.findFirst({ where: { tenantId, isDefault: true }, orderBy: { createdAt: 'asc' } });
}

export async function tenantBusinessDetails(db: TenantDb, actor: Actor): Promise<TenantBusinessDetails | null> {
  const { organizationId, tenantId } = actor.actingScope;
  const [organization, entity] = await Promise.all([
    db.organization.findUnique({ where: { id: organizationId }, select: { name: true, country: true } }),
    defaultEntity(db, tenantId),
  ]);
  if (!organization || !entity) return null;
  return { ...entity, organizationName: organization.name, country: entity.country };
}

/**
 * Applies the change to the current details and saves the whole. `prisma` is the unconfined client
 * of the named flow: the connected account's row and its platform's requirements belong to the platform.
 */
export async function updateTenantBusinessDetails(
  db: TenantDb,
  prisma: Prisma,
  actor: Actor,
  patch: BusinessDetailsPatch,
): Promise<TenantBusinessDetails> {
  const current = await tenantBusinessDetails(db, actor);
  if (!current) throw new InvalidStateError('This tenant has no default invoicing entity to edit.');
  const given = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
  const merged = { ...current, ...given } as TenantBusinessDetails;
  if (merged.organizationName === null || merged.country === null) {
    throw new ValidationError('input.organizationName and input.country cannot be cleared.', ['input.organizationName', 'input.country']);
  }
  const organizationName = validateOrganizationName(merged.organizationName, 'input.organizationName');
  const invoicing = Object.fromEntries(INVOICING_FIELDS.map((field) => [field, merged[field]])) as InvoicingDetails;
  const { organizationId, tenantId } = actor.actingScope;
  const organizationData = { name: organizationName, country: merged.country };

  if (actor.actingAs) {
    return prisma.$transaction(async (tx) => {
      const { invoicingEntity } = await updateBusinessDetails(
        tx,
        { connectedAccountId: actor.actingAs?.id ?? '', details: invoicing, editor: byKey(actor), now: actor.now },
        'input.',
      );
      await tx.invoicingEntity.update({ where: { id: invoicingEntity.id }, data: { country: merged.country } });
      await tx.organization.update({ where: { id: organizationId }, data: organizationData });
      return { ...invoicingEntity, organizationName, country: merged.country };
    });
  }
  const details = validateInvoicingDetails(invoicing, 'input.');
  if (!details.legalName) throw new ValidationError('input.legalName is required.', ['input.legalName']);
  const legalName = details.legalName;
  return db.$transaction(async (tx) => {
    const entity = await defaultEntity(tx, tenantId);
    if (!entity) throw new InvalidStateError('This tenant has no default invoicing entity to edit.');
    const saved = await tx.invoicingEntity.update({ where: { id: entity.id }, data: { ...details, legalName, country: merged.country } });
    await tx.organization.update({ where: { id: organizationId }, data: organizationData });
    return { ...saved, organizationName, country: merged.country };
  });
}
