// An organization's tenants: its production tenant, made with the organization, and the sandboxes it
// adds for tests. A key belongs to one tenant; `createTenant` hands out the new tenant's first key.
import type { Actor } from '../auth/actor.ts';
import type { Prisma } from '../db/database.ts';
import { isUniqueViolation } from '../db/prisma-errors.ts';
import { ConflictError, InvalidStateError, ValidationError } from '../core/domain-errors.ts';
import { displayedName } from '../core/validation.ts';
import { newId } from '../core/ids.ts';
import type { Tenant } from '../generated/prisma/client.ts';
import type { TenantEnvironment } from '../generated/prisma/enums.ts';
import { newApiKey, type IssuedApiKey } from '../api-keys/service.ts';
import { byKey, placeOfOrganizationObject } from '../events/record.ts';
import { recordChange, tenantObject } from '../events/public-objects.ts';

export const TENANT_NAME_MAX_LENGTH = 100;

/** A bound on what one organization can make: each tenant is rows, keys and webhook routing. */
export const MAX_TENANTS_PER_ORGANIZATION = 20;

const FIRST_KEY_NAME = 'First key';

export interface NewTenantInput {
  name: string;
  environment: TenantEnvironment;
}

export interface CreatedTenant {
  tenant: Tenant;
  apiKey: IssuedApiKey;
}

/**
 * A new tenant of the caller's organization with its first key, in one transaction. The organization
 * row is locked first, so concurrent calls count and name-check one after the other.
 */
export async function createTenant(prisma: Prisma, actor: Actor, input: NewTenantInput): Promise<CreatedTenant> {
  const name = displayedName(input.name, TENANT_NAME_MAX_LENGTH, 'input.name');
  if (input.environment === 'PRODUCTION') {
    throw new ValidationError('An organization has exactly one production tenant, made with it: create a SANDBOX.', ['input.environment']);
  }
  const { organizationId } = actor.actingScope;
  try {
    return await prisma.$transaction(async (tx) => {
      await tx.organization.update({ where: { id: organizationId }, data: { updatedAt: actor.now } });
      const count = await tx.tenant.count({ where: { organizationId } });
      if (count >= MAX_TENANTS_PER_ORGANIZATION) {
        throw new InvalidStateError(`An organization has at most ${MAX_TENANTS_PER_ORGANIZATION} tenants.`);
      }
      const tenant = await tx.tenant.create({ data: { id: newId('Tenant'), organizationId, name, environment: input.environment } });
      const { row, secret } = newApiKey({ name: FIRST_KEY_NAME, tenantId: tenant.id, environment: tenant.environment });
      const apiKey = await tx.apiKey.create({ data: row });
      await recordChange(tx, {
        type: 'tenant.created',
        show: tenantObject,
        after: tenant,
        place: placeOfOrganizationObject(organizationId, actor),
        actor: byKey(actor),
      });
      return { tenant, apiKey: { apiKey, secret } };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`The organization already has a tenant named "${name}" (in some letter case).`);
    throw error;
  }
}
