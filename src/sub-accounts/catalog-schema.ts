// GraphQL for the platform's catalog: permissible purposes and the account packages grouping them.
import type { PermissiblePurpose } from '../generated/prisma/client.ts';
import { ConflictError, InvalidStateError, NotFoundError, ValidationError } from '../core/domain-errors.ts';
import { builder } from '../graphql/builder.ts';
import { grantedField, subAccountManagerField } from '../graphql/permissions.ts';
import { actorOf } from '../graphql/context.ts';
import { dateTimeRange, DateTimeFilter, orderByInput } from '../graphql/lists.ts';
import {
  archiveAccountPackage,
  archivePermissiblePurpose,
  createAccountPackage,
  createPermissiblePurpose,
  updateAccountPackage,
  updatePermissiblePurpose,
} from './catalog-service.ts';

const archivedAtDescription = 'When it was archived: it stays on what has it, and is never newly assigned. Null while active.';

export const PermissiblePurposeType = builder.prismaNode('PermissiblePurpose', {
  id: { field: 'id' },
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    archivedAt: t.expose('archivedAt', { type: 'DateTime', nullable: true, description: archivedAtDescription }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

export const AccountPackageType = builder.prismaNode('AccountPackage', {
  id: { field: 'id' },
  fields: (t) => ({
    name: t.exposeString('name'),
    permissiblePurposes: t.field({
      type: [PermissiblePurposeType],
      select: (_args, _context, nestedSelection) => ({ purposes: { select: { permissiblePurpose: nestedSelection(true) } } }),
      resolve: (pkg) => pkg.purposes.map((link) => link.permissiblePurpose),
    }),
    archivedAt: t.expose('archivedAt', { type: 'DateTime', nullable: true, description: archivedAtDescription }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

/** The catalog lists show archived entries too (what sub-accounts have), unless the filter says otherwise. */
function catalogFilter(typeName: string) {
  return builder.inputType(`${typeName}Filter`, {
    fields: (t) => ({
      archived: t.boolean({
        required: false,
        description: 'true: only archived entries; false: only active ones (what can be assigned). Absent: all.',
      }),
      search: t.string({ required: false, description: 'Part of the name, any case.' }),
      createdAt: t.field({ type: DateTimeFilter, required: false }),
    }),
  });
}

const PermissiblePurposeFilter = catalogFilter('PermissiblePurpose');
const AccountPackageFilter = catalogFilter('AccountPackage');
const permissiblePurposeOrder = orderByInput('PermissiblePurpose', { CREATED_AT: 'createdAt', NAME: 'name' });
const accountPackageOrder = orderByInput('AccountPackage', { CREATED_AT: 'createdAt', NAME: 'name' });

function catalogWhere(filter: typeof PermissiblePurposeFilter.$inferInput | null | undefined) {
  const archived = filter?.archived;
  return {
    ...(archived === true ? { archivedAt: { not: null } } : archived === false ? { archivedAt: null } : {}),
    ...(filter?.search ? { name: { contains: filter.search, mode: 'insensitive' as const } } : {}),
    ...(filter?.createdAt ? { createdAt: dateTimeRange(filter.createdAt) } : {}),
  };
}

builder.queryField('permissiblePurposes', (t) =>
  t.prismaConnection(
    {
      ...grantedField('subaccounts:read'),
      type: 'PermissiblePurpose',
      cursor: 'id',
      description: "The platform's permissible purposes, archived ones included unless filter.archived says otherwise.",
      args: {
        filter: t.arg({ type: PermissiblePurposeFilter, required: false }),
        orderBy: t.arg({ type: permissiblePurposeOrder.OrderBy, required: false }),
      },
      resolve: (query, _root, args, context) =>
        context.db.permissiblePurpose.findMany({
          ...query,
          where: catalogWhere(args.filter),
          orderBy: permissiblePurposeOrder.toPrisma(args.orderBy),
        }),
      totalCount: (_connection, args, context) => context.db.permissiblePurpose.count({ where: catalogWhere(args.filter) }),
    },
    {},
  ),
);

builder.queryField('accountPackages', (t) =>
  t.prismaConnection(
    {
      ...grantedField('subaccounts:read'),
      type: 'AccountPackage',
      cursor: 'id',
      description: "The platform's account packages, archived ones included unless filter.archived says otherwise.",
      args: {
        filter: t.arg({ type: AccountPackageFilter, required: false }),
        orderBy: t.arg({ type: accountPackageOrder.OrderBy, required: false }),
      },
      resolve: (query, _root, args, context) =>
        context.db.accountPackage.findMany({
          ...query,
          where: catalogWhere(args.filter),
          orderBy: accountPackageOrder.toPrisma(args.orderBy),
        }),
      totalCount: (_connection, args, context) => context.db.accountPackage.count({ where: catalogWhere(args.filter) }),
    },
    {},
  ),
);

/** `{ permissiblePurpose }`, the payload of the mutations that change one. */
const purposePayload = (name: string) =>
  builder.objectRef<{ permissiblePurpose: PermissiblePurpose }>(name).implement({
    fields: (f) => ({ permissiblePurpose: f.expose('permissiblePurpose', { type: PermissiblePurposeType }) }),
  });

/** `{ accountPackage }`, read again with the selection (its purposes are a relation). */
const packagePayload = (name: string) =>
  builder.objectRef<{ accountPackage: { id: string } }>(name).implement({
    fields: (f) => ({
      accountPackage: f.prismaField({
        type: AccountPackageType,
        resolve: (query, { accountPackage }, _args, context) =>
          context.db.accountPackage.findUniqueOrThrow({ ...query, where: { id: accountPackage.id } }),
      }),
    }),
  });

const CreatePermissiblePurposeInput = builder.inputType('CreatePermissiblePurposeInput', {
  fields: (t) => ({ name: t.string({ required: true }), description: t.string({ required: false }) }),
});

builder.mutationField('createPermissiblePurpose', (t) =>
  t.field({
    ...subAccountManagerField,
    type: purposePayload('CreatePermissiblePurposePayload'),
    errors: { types: [ValidationError, ConflictError] },
    args: { input: t.arg({ type: CreatePermissiblePurposeInput, required: true }) },
    resolve: async (_root, { input }, context) => ({
      permissiblePurpose: await createPermissiblePurpose(context.db, actorOf(context), input),
    }),
  }),
);

const UpdatePermissiblePurposeInput = builder.inputType('UpdatePermissiblePurposeInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    name: t.string({ required: false, description: 'Unique per platform tenant, archived entries included.' }),
    description: t.string({ required: false, description: 'null clears it.' }),
  }),
});

builder.mutationField('updatePermissiblePurpose', (t) =>
  t.field({
    ...subAccountManagerField,
    type: purposePayload('UpdatePermissiblePurposePayload'),
    description: 'Absent fields stay. An archived purpose may be renamed (to free its name).',
    errors: { types: [ValidationError, NotFoundError, ConflictError] },
    args: { input: t.arg({ type: UpdatePermissiblePurposeInput, required: true }) },
    resolve: async (_root, { input }, context) => ({
      permissiblePurpose: await updatePermissiblePurpose(context.db, actorOf(context), input),
    }),
  }),
);

const CreateAccountPackageInput = builder.inputType('CreateAccountPackageInput', {
  fields: (t) => ({ name: t.string({ required: true }), permissiblePurposeIds: t.idList({ required: true }) }),
});

builder.mutationField('createAccountPackage', (t) =>
  t.field({
    ...subAccountManagerField,
    type: packagePayload('CreateAccountPackagePayload'),
    errors: { types: [ValidationError, ConflictError] },
    args: { input: t.arg({ type: CreateAccountPackageInput, required: true }) },
    resolve: async (_root, { input }, context) => ({
      accountPackage: await createAccountPackage(context.db, actorOf(context), input),
    }),
  }),
);

const UpdateAccountPackageInput = builder.inputType('UpdateAccountPackageInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    name: t.string({ required: false, description: 'Unique per platform tenant, archived entries included.' }),
    permissiblePurposeIds: t.idList({
      required: false,
      description:
        'Replaces its purposes (at least one; an archived one it has may stay). Sub-accounts that have the package keep the purposes they got.',
    }),
  }),
});

builder.mutationField('updateAccountPackage', (t) =>
  t.field({
    ...subAccountManagerField,
    type: packagePayload('UpdateAccountPackagePayload'),
    description: 'Absent fields stay. An archived package may be renamed (to free its name).',
    errors: { types: [ValidationError, NotFoundError, ConflictError] },
    args: { input: t.arg({ type: UpdateAccountPackageInput, required: true }) },
    resolve: async (_root, { input }, context) => ({ accountPackage: await updateAccountPackage(context.db, actorOf(context), input) }),
  }),
);

const ArchiveCatalogEntryInput = (name: string) => builder.inputType(name, { fields: (t) => ({ id: t.id({ required: true }) }) });

const archiveDescription =
  'For good: it stays on what has it, and cannot be newly assigned (VALIDATION naming the field and id). Archived twice: INVALID_STATE.';

builder.mutationField('archivePermissiblePurpose', (t) =>
  t.field({
    ...subAccountManagerField,
    type: purposePayload('ArchivePermissiblePurposePayload'),
    description: archiveDescription,
    errors: { types: [NotFoundError, InvalidStateError] },
    args: { input: t.arg({ type: ArchiveCatalogEntryInput('ArchivePermissiblePurposeInput'), required: true }) },
    resolve: async (_root, { input }, context) => ({
      permissiblePurpose: await archivePermissiblePurpose(context.db, actorOf(context), input.id),
    }),
  }),
);

builder.mutationField('archiveAccountPackage', (t) =>
  t.field({
    ...subAccountManagerField,
    type: packagePayload('ArchiveAccountPackagePayload'),
    description: archiveDescription,
    errors: { types: [NotFoundError, InvalidStateError] },
    args: { input: t.arg({ type: ArchiveCatalogEntryInput('ArchiveAccountPackageInput'), required: true }) },
    resolve: async (_root, { input }, context) => ({ accountPackage: await archiveAccountPackage(context.db, actorOf(context), input.id) }),
  }),
);
