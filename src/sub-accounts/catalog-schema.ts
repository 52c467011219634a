// GraphQL for the platform's catalog: permissible purposes and the account packages grouping them.
import type { PermissiblePurpose } from '../generated/prisma/client.ts';
import { ConflictError, ValidationError } from '../core/domain-errors.ts';
import { builder } from '../graphql/builder.ts';
import { grantedField, subAccountManagerField } from '../graphql/permissions.ts';
import { actorOf } from '../graphql/context.ts';
import { createAccountPackage, createPermissiblePurpose } from './catalog-service.ts';


export const PermissiblePurposeType = builder.prismaNode('PermissiblePurpose', {
  id: { field: 'id' },
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

export const AccountPackageType = builder.prismaNode('AccountPackage', {
  id: { field: 'id' },
  fields: (t) => ({
    name: t.exposeString('name'),
    permissiblePurposes: t.field({
      type: [PermissiblePurposeType],
      select: { purposes: { include: { permissiblePurpose: true } } },
      resolve: (pkg) => pkg.purposes.map((link) => link.permissiblePurpose),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const catalogOrder = [{ createdAt: 'asc' as const }, { id: 'asc' as const }];

builder.queryField('permissiblePurposes', (t) =>
  t.prismaConnection(
    {
      ...grantedField('subaccounts:read'),
      type: 'PermissiblePurpose',
      cursor: 'id',
      description: "The platform's permissible purposes.",
      resolve: (query, _root, _args, context) => context.db.permissiblePurpose.findMany({ ...query, orderBy: catalogOrder }),
      totalCount: (_connection, _args, context) => context.db.permissiblePurpose.count(),
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
      description: "The platform's account packages.",
      resolve: (query, _root, _args, context) => context.db.accountPackage.findMany({ ...query, orderBy: catalogOrder }),
      totalCount: (_connection, _args, context) => context.db.accountPackage.count(),
    },
    {},
  ),
);

const CreatePermissiblePurposeInput = builder.inputType('CreatePermissiblePurposeInput', {
  fields: (t) => ({ name: t.string({ required: true }), description: t.string({ required: false }) }),
});

builder.mutationField('createPermissiblePurpose', (t) =>
  t.field({
    ...subAccountManagerField,
    type: builder.objectRef<{ permissiblePurpose: PermissiblePurpose }>('CreatePermissiblePurposePayload').implement({
      fields: (f) => ({ permissiblePurpose: f.expose('permissiblePurpose', { type: PermissiblePurposeType }) }),
    }),
    errors: { types: [ValidationError, ConflictError] },
    args: { input: t.arg({ type: CreatePermissiblePurposeInput, required: true }) },
    resolve: async (_root, { input }, context) => ({
      permissiblePurpose: await createPermissiblePurpose(context.db, actorOf(context), input),
    }),
  }),
);

const CreateAccountPackageInput = builder.inputType('CreateAccountPackageInput', {
  fields: (t) => ({ name: t.string({ required: true }), permissiblePurposeIds: t.idList({ required: true }) }),
});

builder.mutationField('createAccountPackage', (t) =>
  t.field({
    ...subAccountManagerField,
    type: builder.objectRef<{ accountPackage: { id: string } }>('CreateAccountPackagePayload').implement({
      fields: (f) => ({
        accountPackage: f.prismaField({
          type: AccountPackageType,
          resolve: (query, { accountPackage }, _args, context) =>
            context.db.accountPackage.findUniqueOrThrow({ ...query, where: { id: accountPackage.id } }),
        }),
      }),
    }),
    errors: { types: [ValidationError, ConflictError] },
    args: { input: t.arg({ type: CreateAccountPackageInput, required: true }) },
    resolve: async (_root, { input }, context) => ({
      accountPackage: await createAccountPackage(context.db, actorOf(context), input),
    }),
  }),
);
