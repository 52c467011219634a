// Givens shared by the stories: an organization (a platform) with its first API key.
import { expect } from 'vitest';
import { CreateOrganizationDocument } from '../../generated/graphql.ts';
import { ADMIN_SECRET, withKey, type TestServer } from '../server.ts';
import { outcome, untypedRequest } from '../untyped-graphql.ts';

export interface OrganizationFixture {
  organizationId: string;
  tenantId: string;
  apiKeyId: string;
  apiKey: string;
}

export async function givenOrganization(server: TestServer, name = 'Acme Platform'): Promise<OrganizationFixture> {
  const response = await server.request(CreateOrganizationDocument, { input: { name, country: 'FR' } }, { 'x-admin-secret': ADMIN_SECRET });
  const result = response.data?.createOrganization;
  if (result?.__typename !== 'CreateOrganizationPayload') {
    expect.fail(`createOrganization failed: ${JSON.stringify(response)}`);
  }
  return {
    organizationId: result.organization.id,
    tenantId: result.tenant.id,
    apiKeyId: result.apiKey.id,
    apiKey: result.apiKey.secret ?? expect.fail('no secret in the payload'),
  };
}

export const CREATE_TENANT = `mutation($input: CreateTenantInput!) { createTenant(input: $input) {
  __typename ... on Error { code } ... on CreateTenantPayload { tenant { id environment } apiKey { id secret } } } }`;

/** A SANDBOX tenant of the organization, made by its key, and that tenant's first key. */
export async function givenSandboxKey(server: TestServer, owner: OrganizationFixture, name: string) {
  const answer = await untypedRequest(server, CREATE_TENANT, { input: { name, environment: 'SANDBOX' } }, withKey(owner.apiKey));
  expect(outcome(answer, 'createTenant')).toBe('CreateTenantPayload');
  return { tenantId: answer.data!.createTenant.tenant.id as string, apiKey: answer.data!.createTenant.apiKey.secret as string };
}
