// Givens of the sub-account stories: a catalog entry, a sub-account's input, a created sub-account.
import { expect } from 'vitest';
import {
  CreateAccountPackageDocument,
  CreatePermissiblePurposeDocument,
  CreateSubAccountDocument,
  type CreateSubAccountInput,
} from '../../generated/graphql.ts';
import type { OrganizationFixture } from './organizations.ts';
import { withKey, type TestServer } from '../server.ts';

export async function givenPurpose(server: TestServer, owner: OrganizationFixture, name: string) {
  const response = await server.request(
    CreatePermissiblePurposeDocument,
    { input: { name, description: `${name}.` } },
    withKey(owner.apiKey),
  );
  if (response.data?.createPermissiblePurpose.__typename !== 'CreatePermissiblePurposePayload')
    return expect.fail(JSON.stringify(response));
  return response.data.createPermissiblePurpose.permissiblePurpose.id;
}

export async function givenPackage(server: TestServer, owner: OrganizationFixture, name: string, permissiblePurposeIds: string[]) {
  const response = await server.request(CreateAccountPackageDocument, { input: { name, permissiblePurposeIds } }, withKey(owner.apiKey));
  if (response.data?.createAccountPackage.__typename !== 'CreateAccountPackagePayload') return expect.fail(JSON.stringify(response));
  return response.data.createAccountPackage.accountPackage.id;
}

let names = 0;

/** A valid input with a new name ("Branch <n>"), over `defaults`, then `overrides`. */
export function subAccountInput(
  defaults: Partial<CreateSubAccountInput>,
  overrides: Partial<CreateSubAccountInput> = {},
): CreateSubAccountInput {
  names += 1;
  return {
    accountName: `Branch ${names}`,
    firstName: 'Ada',
    lastName: 'Lovelace',
    emailAddress: 'ada@branch.example',
    address: { line1: '1 Main St', city: 'Springfield', state: 'IL', postalCode: '62701', country: 'US' },
    ...defaults,
    ...overrides,
  };
}

/** createSubAccount, which must succeed: its payload. */
export async function givenSubAccount(server: TestServer, key: string, input: CreateSubAccountInput) {
  const response = await server.request(CreateSubAccountDocument, { input }, withKey(key));
  const result = response.data?.createSubAccount;
  if (result?.__typename !== 'CreateSubAccountPayload') return expect.fail(JSON.stringify(response));
  return result;
}

export const CREATE_SUB_ACCOUNT = `mutation($input: CreateSubAccountInput!) { createSubAccount(input: $input) {
  __typename ... on Error { code } ... on CreateSubAccountPayload { subAccount { id tenantId } apiKey { id secret } } } }`;
