// Givens shared by the stories: an organization (a platform) with its first API key.
import { expect } from 'vitest';
import { CreateOrganizationDocument } from '../../generated/graphql.ts';
import { ADMIN_SECRET, type TestServer } from '../server.ts';

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
