// The platform's catalog: permissible purposes, and account packages that group them, one per
// platform tenant (a sandbox key's catalog is its own: it never archives or renames production's,
// confinement-rules.ts). A sub-account's purposes come from both, and must agree when both are
// given. An archived entry stays where it is (on the packages and sub-accounts that have it) but is
// never newly assigned, directly or through a package. A package's purposes are copied to a sub-account when the package
// is assigned: changing the package later changes no sub-account (granting a purpose is a decision
// about each account, which updateSubAccount makes).
import { isUniqueViolation } from '../db/prisma-errors.ts';
import type { Actor } from '../auth/actor.ts';
import type { TenantDb, TenantTx } from '../db/tenant-scope.ts';
import { ConflictError, InvalidStateError, NotFoundError, ValidationError } from '../core/domain-errors.ts';
import type { AccountPackage, PermissiblePurpose } from '../generated/prisma/client.ts';
import { newId } from '../core/ids.ts';
import { displayedName, optionalText } from '../core/validation.ts';
import { platformTenantOf } from './access.ts';
import { recordPackageEvent, recordPurposeEvent, withPurposes } from './events.ts';

const NAME_MAX = 100;
const DESCRIPTION_MAX = 1000;

/** Names are unique per platform tenant, archived entries included (rename an archived one to free its name). */
async function uniquelyNamed<Row>(kind: string, name: string | undefined, write: () => Promise<Row>): Promise<Row> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ConflictError(`A ${kind} named "${String(name)}" already exists (archived ones keep their names).`);
    throw error;
  }
}

/** An update's name: absent keeps it; null cannot clear it. */
function updatedName(name: string | null | undefined): string | undefined {
  if (name === undefined) return undefined;
  if (name === null) throw new ValidationError('input.name cannot be cleared.', ['input.name']);
  return displayedName(name, NAME_MAX, 'input.name');
}

export async function createPermissiblePurpose(
  db: TenantDb,
  actor: Actor,
  input: { name: string; description?: string | null | undefined },
): Promise<PermissiblePurpose> {
  const name = displayedName(input.name, NAME_MAX, 'input.name');
  const description = optionalText(input.description, DESCRIPTION_MAX, 'input.description');
  return uniquelyNamed('permissible purpose', name, () =>
    db.permissiblePurpose.create({ data: { id: newId('PermissiblePurpose'), ...platformTenantOf(actor.actingScope), name, description } }),
  );
}

/** Absent fields stay; a null description clears it. Archived purposes may be renamed too. */
export async function updatePermissiblePurpose(
  db: TenantDb,
  actor: Actor,
  input: { id: string; name?: string | null | undefined; description?: string | null | undefined },
): Promise<PermissiblePurpose> {
  const name = updatedName(input.name);
  const description = input.description === undefined ? undefined : optionalText(input.description, DESCRIPTION_MAX, 'input.description');
  return uniquelyNamed('permissible purpose', name, () =>
    db.$transaction(async (tx) => {
      const before = await tx.permissiblePurpose.findUnique({ where: { id: input.id } });
      if (!before) throw new NotFoundError(`No permissible purpose ${input.id}.`);
      const after = await tx.permissiblePurpose.update({ where: { id: input.id }, data: { name, description } });
      await recordPurposeEvent(tx, actor, { type: 'permissible_purpose.updated', after, before });
      return after;
    }),
  );
}

/** Ids, deduplicated, that must each be an entry of the platform's, and unarchived unless already held. */
async function assignable(
  ids: readonly string[],
  field: string,
  kind: string,
  held: ReadonlySet<string>,
  find: (ids: string[]) => Promise<{ id: string; archivedAt: Date | null }[]>,
): Promise<string[]> {
  const unique = [...new Set(ids)];
  const found = await find(unique);
  const known = new Set(found.map((entry) => entry.id));
  const unknown = unique.filter((id) => !known.has(id));
  if (unknown.length > 0) throw new ValidationError(`Unknown ${kind}: ${unknown.join(', ')}.`, [field]);
  const archived = found.filter((entry) => entry.archivedAt !== null && !held.has(entry.id)).map((entry) => entry.id);
  if (archived.length > 0) throw new ValidationError(`Archived ${kind} cannot be newly assigned: ${archived.join(', ')}.`, [field]);
  return unique;
}

const NOTHING_HELD: ReadonlySet<string> = new Set();

/** What reading the catalog needs: the confined client, or a transaction of it. */
type CatalogReader = Pick<TenantTx, 'permissiblePurpose' | 'accountPackage' | 'accountPackagePurpose'>;

function assignablePurposes(db: CatalogReader, ids: readonly string[], field: string, held = NOTHING_HELD) {
  return assignable(ids, field, 'permissible purposes', held, (unique) =>
    db.permissiblePurpose.findMany({ where: { id: { in: unique } }, select: { id: true, archivedAt: true } }),
  );
}

function packagePurposes(purposeIds: readonly string[]) {
  if (purposeIds.length === 0)
    throw new ValidationError('A package groups at least one permissible purpose.', ['input.permissiblePurposeIds']);
  return { create: purposeIds.map((permissiblePurposeId) => ({ permissiblePurposeId })) };
}

export async function createAccountPackage(
  db: TenantDb,
  actor: Actor,
  input: { name: string; permissiblePurposeIds: readonly string[] },
): Promise<AccountPackage> {
  const name = displayedName(input.name, NAME_MAX, 'input.name');
  const purposes = packagePurposes(await assignablePurposes(db, input.permissiblePurposeIds, 'input.permissiblePurposeIds'));
  return uniquelyNamed('package', name, () =>
    db.accountPackage.create({ data: { id: newId('AccountPackage'), ...platformTenantOf(actor.actingScope), name, purposes } }),
  );
}

/**
 * Absent fields stay; `permissiblePurposeIds` replaces the package's purposes (an archived one it
 * already has may stay). The sub-accounts that have the package keep the purposes they got.
 */
export async function updateAccountPackage(
  db: TenantDb,
  actor: Actor,
  input: { id: string; name?: string | null | undefined; permissiblePurposeIds?: readonly string[] | null | undefined },
): Promise<AccountPackage> {
  const name = updatedName(input.name);
  const existing = await db.accountPackage.findUnique({ where: { id: input.id }, include: withPurposes });
  if (!existing) throw new NotFoundError(`No account package ${input.id}.`);
  if (input.permissiblePurposeIds === null)
    throw new ValidationError('A package groups at least one permissible purpose.', ['input.permissiblePurposeIds']);
  const held = new Set(existing.purposes.map((link) => link.permissiblePurposeId));
  const purposeIds =
    input.permissiblePurposeIds && (await assignablePurposes(db, input.permissiblePurposeIds, 'input.permissiblePurposeIds', held));
  const purposes = purposeIds ? { deleteMany: {}, ...packagePurposes(purposeIds) } : undefined;
  return uniquelyNamed('package', name, () =>
    db.$transaction(async (tx) => {
      const before = await tx.accountPackage.findUniqueOrThrow({ where: { id: input.id }, include: withPurposes });
      const after = await tx.accountPackage.update({ where: { id: input.id }, data: { name, purposes }, include: withPurposes });
      await recordPackageEvent(tx, actor, { type: 'account_package.updated', after, before });
      return after;
    }),
  );
}

/** Archiving is final: the entry stays where it is and is never newly assigned. */
export const archivePermissiblePurpose = (db: TenantDb, actor: Actor, id: string) =>
  db.$transaction(async (tx) => {
    const before = await tx.permissiblePurpose.findUnique({ where: { id } });
    if (!before) throw new NotFoundError(`No permissible purpose ${id}.`);
    const [after] = await tx.permissiblePurpose.updateManyAndReturn({ where: { id, archivedAt: null }, data: { archivedAt: actor.now } });
    if (!after) throw new InvalidStateError(`The permissible purpose ${id} is already archived.`);
    await recordPurposeEvent(tx, actor, { type: 'permissible_purpose.archived', after, before });
    return after;
  });

export const archiveAccountPackage = (db: TenantDb, actor: Actor, id: string) =>
  db.$transaction(async (tx) => {
    const before = await tx.accountPackage.findUnique({ where: { id }, include: withPurposes });
    if (!before) throw new NotFoundError(`No account package ${id}.`);
    const archived = await tx.accountPackage.updateMany({ where: { id, archivedAt: null }, data: { archivedAt: actor.now } });
    if (archived.count === 0) throw new InvalidStateError(`The account package ${id} is already archived.`);
    const after = await tx.accountPackage.findUniqueOrThrow({ where: { id }, include: withPurposes });
    await recordPackageEvent(tx, actor, { type: 'account_package.archived', after, before });
    return after;
  });

export interface PurposeChoice {
  permissiblePurposeIds?: readonly string[] | null | undefined;
  accountPackageIds?: readonly string[] | null | undefined;
}

/** What a sub-account already has: archived entries among them may stay. */
export interface HeldChoice {
  purposeIds: ReadonlySet<string>;
  packageIds: ReadonlySet<string>;
}

const NOTHING: HeldChoice = { purposeIds: NOTHING_HELD, packageIds: NOTHING_HELD };

/**
 * The purposes and packages a sub-account gets. At least one purpose, directly or through the
 * packages; when both are given, every purpose the packages bring must be among the ids. A package
 * brings its unarchived purposes, and the archived ones the sub-account already has.
 */
export async function resolvePurposes(db: CatalogReader, choice: PurposeChoice, held: HeldChoice = NOTHING) {
  const purposeIds = await assignablePurposes(db, choice.permissiblePurposeIds ?? [], 'input.permissiblePurposeIds', held.purposeIds);
  const packageIds = await assignable(
    choice.accountPackageIds ?? [],
    'input.accountPackageIds',
    'account packages',
    held.packageIds,
    (unique) => db.accountPackage.findMany({ where: { id: { in: unique } }, select: { id: true, archivedAt: true } }),
  );
  const links = await db.accountPackagePurpose.findMany({
    where: { accountPackageId: { in: packageIds } },
    select: { permissiblePurposeId: true, permissiblePurpose: { select: { archivedAt: true } } },
  });
  const packagePurposeIds = links
    .filter((link) => link.permissiblePurpose.archivedAt === null || held.purposeIds.has(link.permissiblePurposeId))
    .map((link) => link.permissiblePurposeId);
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
