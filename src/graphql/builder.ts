// The one SchemaBuilder, its plugins and their options. Domains add their types to it.
import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import {
  CountryCodeResolver,
  DateTimeResolver,
  EmailAddressResolver,
  JSONObjectResolver,
  JSONResolver,
  PhoneNumberResolver,
  URLResolver,
} from 'graphql-scalars';
import type PrismaTypes from '../generated/pothos-types.ts';
import { getDatamodel } from '../generated/pothos-types.ts';
import { typeOfId } from '../core/ids.ts';
import type { Context } from './context.ts';
import { authScopesFor, unauthorizedError } from './permissions.ts';
import type { GrantScope } from '../auth/grant-scopes.ts';
import { ValidationError } from '../core/domain-errors.ts';
import NulInputPlugin from './nul-input-plugin.ts';
import PageSizePlugin, { pageSizes } from './page-size-plugin.ts';
import { typeNameOf } from './type-names.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  AuthScopes: {
    apiKey: boolean;
    platform: boolean;
    production: boolean;
    subAccountManager: boolean;
    fullAccess: boolean;
    grant: GrantScope;
    admin: boolean;
    accountSession: boolean;
  };
  DefaultFieldNullability: false;
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date };
    EmailAddress: { Input: string; Output: string };
    CountryCode: { Input: string; Output: string };
    URL: { Input: URL; Output: string };
    PhoneNumber: { Input: string; Output: string };
    JSON: { Input: unknown; Output: unknown };
    JSONObject: { Input: Record<string, unknown>; Output: Record<string, unknown> };
  };
}>({
  // NulInputPlugin last: innermost, so the errors plugin turns its ValidationError into the union member.
  plugins: [ScopeAuthPlugin, ErrorsPlugin, PrismaPlugin, RelayPlugin, NulInputPlugin, PageSizePlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: authScopesFor,
    unauthorizedError,
    // A subscription is authorized once, when it starts (not again for every event it sends).
    authorizeOnSubscribe: true,
  },
  errors: {
    directResult: true,
    // Any input can be invalid (a NUL character in any string, see nul-input-plugin.ts).
    defaultTypes: [ValidationError],
    defaultUnionOptions: { name: ({ fieldName }) => `${typeNameOf(fieldName)}Result` },
  },
  prisma: {
    client: (context) => context.db as never,
    dmmf: getDatamodel(),
    exposeDescriptions: true,
    filterConnectionTotalCount: true,
    maxConnectionSize: pageSizes.maxSize,
    defaultConnectionSize: pageSizes.defaultSize,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodesOnConnection: true,
    // Our ids already carry their type in their prefix, so the global id is the id itself.
    encodeGlobalID: (_typename, id) => String(id),
    decodeGlobalID: (globalId) => ({ typename: typeOfId(globalId) ?? '', id: globalId }),
    // node(id:) and nodes(ids:) answer null for what the caller cannot see: src/graphql/nodes.ts.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
});

builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('EmailAddress', EmailAddressResolver);
builder.addScalarType('CountryCode', CountryCodeResolver);
builder.addScalarType('URL', URLResolver);
builder.addScalarType('PhoneNumber', PhoneNumberResolver);
builder.addScalarType('JSON', JSONResolver);
builder.addScalarType('JSONObject', JSONObjectResolver);

// Deny by default under a STANDARD grant: a field it may reach skips these and names its `grant`.
builder.queryType({ authScopes: { $all: { apiKey: true, fullAccess: true } } });
builder.mutationType({ authScopes: { $all: { apiKey: true, fullAccess: true } } });
builder.subscriptionType({ authScopes: { $all: { apiKey: true, fullAccess: true } } });
