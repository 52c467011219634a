// GraphQL for a sub-account's keys, which its platform manages (keys.ts says which key is which).
import type { ApiKey, SubAccount } from '../generated/prisma/client.ts';
import { ApiKeyType, withIssuedSecret } from '../api-keys/schema.ts';
import { InvalidStateError, LimitReachedError, NotFoundError, ValidationError } from '../core/domain-errors.ts';
import { builder } from '../graphql/builder.ts';
import { subAccountManagerField } from '../graphql/permissions.ts';
import { actorOf } from '../graphql/context.ts';
import { createSubAccountKey, revokeSubAccountKey, rotateSubAccountKey } from './keys.ts';
import { SubAccountType } from './sub-account-type.ts';

const RotateSubAccountApiKeyInput = builder.inputType('RotateSubAccountApiKeyInput', {
  fields: (t) => ({ subAccountId: t.id({ required: true }) }),
});

builder.mutationField('rotateSubAccountApiKey', (t) =>
  t.field({
    ...subAccountManagerField,
    type: builder.objectRef<{ subAccount: SubAccount; apiKey: ApiKey }>('RotateSubAccountApiKeyPayload').implement({
      fields: (f) => ({
        subAccount: f.expose('subAccount', { type: SubAccountType }),
        apiKey: f.expose('apiKey', {
          type: ApiKeyType,
          description: 'The new provisioned key with its secret; every earlier key is revoked.',
        }),
      }),
    }),
    description:
      'The reset after a leak: every key of the sub-account, named ones included, is revoked, and a new provisioned key issued. To replace one named key, create another and revoke it.',
    errors: { types: [NotFoundError, InvalidStateError] },
    args: { input: t.arg({ type: RotateSubAccountApiKeyInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const rotated = await rotateSubAccountKey(
        context.crossTenant('sub-account-provisioning'),
        context.db,
        actorOf(context),
        input.subAccountId,
      );
      return { subAccount: rotated.subAccount, apiKey: withIssuedSecret(rotated.apiKey) };
    },
  }),
);

const CreateSubAccountApiKeyInput = builder.inputType('CreateSubAccountApiKeyInput', {
  fields: (t) => ({
    subAccountId: t.id({ required: true }),
    name: t.string({ required: true, description: 'What the key is for, e.g. "Payroll integration" (at most 100 characters).' }),
  }),
});

builder.mutationField('createSubAccountApiKey', (t) =>
  t.field({
    ...subAccountManagerField,
    type: builder.objectRef<{ apiKey: ApiKey }>('CreateSubAccountApiKeyPayload').implement({
      fields: (f) => ({ apiKey: f.expose('apiKey', { type: ApiKeyType, description: 'The new key with its secret, shown only here.' }) }),
    }),
    description:
      'A named key for an ACTIVE sub-account, next to its others: createSubAccount with the same name never replaces it; it works until revoked (or rotateSubAccountApiKey). ' +
      "A sub-account's tenant holds at most API_KEYS_PER_TENANT active keys (its provisioned key included): past it, LIMIT_REACHED.",
    errors: { types: [NotFoundError, InvalidStateError, LimitReachedError] },
    args: { input: t.arg({ type: CreateSubAccountApiKeyInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const issued = await createSubAccountKey(
        context.crossTenant('sub-account-provisioning'),
        context.db,
        actorOf(context),
        input,
        context.config.apiKeysPerTenant,
      );
      return { apiKey: withIssuedSecret(issued) };
    },
  }),
);

const RevokeSubAccountApiKeyInput = builder.inputType('RevokeSubAccountApiKeyInput', {
  fields: (t) => ({
    id: t.id({ required: false, description: 'The key to revoke (required; nullable only while the deprecated fields are accepted).' }),
    subAccountId: t.id({
      required: false,
      deprecationReason: 'Give the key in `id` alone. When given, the key must belong to this sub-account.',
    }),
    apiKeyId: t.id({ required: false, deprecationReason: 'Renamed `id`.' }),
  }),
});

builder.mutationField('revokeSubAccountApiKey', (t) =>
  t.field({
    ...subAccountManagerField,
    type: builder.objectRef<{ apiKey: ApiKey }>('RevokeSubAccountApiKeyPayload').implement({
      fields: (f) => ({ apiKey: f.expose('apiKey', { type: ApiKeyType }) }),
    }),
    description: "Revokes one key of one of the platform's sub-accounts, of any kind; a revoked key is returned as it is.",
    errors: { types: [NotFoundError, ValidationError] },
    args: { input: t.arg({ type: RevokeSubAccountApiKeyInput, required: true }) },
    resolve: async (_root, { input }, context) => ({
      apiKey: await revokeSubAccountKey(context.crossTenant('sub-account-provisioning'), context.db, actorOf(context), input),
    }),
  }),
);
