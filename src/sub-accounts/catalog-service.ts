// The platform's catalog: permissible purposes, and account packages that group them. A
// sub-account's purposes come from both, and must agree when both are given.
import { isUniqueViolation } from '../db/prisma-errors.ts';
import type { Actor } from '../auth/actor.ts';
import type { TenantDb } from '../db/tenant-scope.ts';
import { ConflictError, ValidationError } from '../core/domain-errors.ts';
import type { AccountPackage, PermissiblePurpose } from '../generated/prisma/client.ts';
import { newId } from '../core/ids.ts';
import { displayedName, optionalText } from '../core/validation.ts';

async function uniquelyNamed<Row>(kind: string, name: string, create: () => Promise<Row>): Promise<Row> {
  try {
    return await create();
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`A ${kind} named "${name}" already exists.`);
    throw error;
  }
}

export async function createPermissiblePurpose(
  db: TenantDb,
  actor: Actor,
  input: { name: string; description?: string | null | undefined },
): Promise<PermissiblePurpose> {
  const name = displayedName(input.name, 100, 'input.name');
  const description = optionalText(input.description, 1000, 'input.description');
  return uniquelyNamed('permissible purpose', name, () =>
    db.permissiblePurpose.create({ data: { id: newId('PermissiblePurpose'), platformOrganizationId: actor.actingScope.organizationId, name, description } }),
  );
}

/** The given purpose ids, each checked to be one of the platform's. */
async function knownPurposeIds(db: TenantDb, ids: readonly string[], field: string): Promise<string[]> {
  const unique = [...new Set(ids)];
  const found = await db.permissiblePurpose.findMany({ where: { id: { in: unique } }, select: { id: true } });
  if (found.length !== unique.length) {
    const known = new Set(found.map((purpose) => purpose.id));
    throw new ValidationError(`Unknown permissible purposes: ${unique.filter((id) => !known.has(id)).join(', ')}.`, [field]);
  }
  return unique;
}

export async function createAccountPackage(
  db: TenantDb,
  actor: Actor,
  input: { name: string; permissiblePurposeIds: readonly string[] },
): Promise<AccountPackage> {
  const name = displayedName(input.name, 100, 'input.name');
  if (input.permissiblePurposeIds.length === 0) {
    throw new ValidationError('A package groups at least one permissible purpose.', ['input.permissiblePurposeIds']);
  }
  const purposeIds = await knownPurposeIds(db, input.permissiblePurposeIds, 'input.permissiblePurposeIds');
  return uniquelyNamed('package', name, () =>
    db.accountPackage.create({
      data: {
        id: newId('AccountPackage'),
        platformOrganizationId: actor.actingScope.organizationId,
        name,
        purposes: { create: purposeIds.map((permissiblePurposeId) => ({ permissiblePurposeId })) },
      },
    }),
  );
}

export interface PurposeChoice {
  permissiblePurposeIds?: readonly string[] | null | undefined;
  accountPackageIds?: readonly string[] | null | undefined;
}

/**
 * The purposes and packages a sub-account gets. At least one purpose, directly or through the
 * packages; when both are given, every purpose of the packages must be among the ids.
 */
export async function resolvePurposes(db: TenantDb, choice: PurposeChoice) {
  const purposeIds = await knownPurposeIds(db, choice.permissiblePurposeIds ?? [], 'input.permissiblePurposeIds');
  const packageIds = [...new Set(choice.accountPackageIds ?? [])];
  const packages = await db.accountPackage.findMany({ where: { id: { in: packageIds } }, include: { purposes: true } });
  if (packages.length !== packageIds.length) {
    throw new ValidationError('Unknown account packages.', ['input.accountPackageIds']);
  }
  const packagePurposeIds = packages.flatMap((found) => found.purposes.map((link) => link.permissiblePurposeId));
  if (purposeIds.length > 0 && packageIds.length > 0) {
    const missing = packagePurposeIds.filter((id) => !purposeIds.includes(id));
    if (missing.length > 0) {
      throw new ValidationError(
        `The packages include permissible purposes not in permissiblePurposeIds: ${[...new Set(missing)].join(', ')}.`,
        ['input.permissiblePurposeIds', 'input.accountPackageIds'],
      );
    }
  }
  const allPurposeIds = [...new Set([...purposeIds, ...packagePurposeIds])];
  if (allPurposeIds.length === 0) {
    throw new ValidationError('A sub-account needs at least one permissible purpose, directly or through a package.', [
      'input.permissiblePurposeIds',
      'input.accountPackageIds',
    ]);
  }
  return { purposeIds: allPurposeIds, packageIds };
}
