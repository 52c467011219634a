// `connect create-organization`: the first organization of a server, without hand-escaped JSON.
import { randomBytes } from 'node:crypto';
import { asAdmin, graphql } from './http-client.ts';

const CREATE = `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) {
  __typename ... on Error { code message }
  ... on CreateOrganizationPayload { organization { id name } tenant { id } apiKey { id secret } } } }`;

export interface CreatedOrganization {
  organizationId: string;
  tenantId: string;
  apiKey: string;
  ownerPassword: string | null;
}

export async function createOrganization(input: {
  name: string;
  country: string;
  ownerEmail?: string | undefined;
}): Promise<CreatedOrganization> {
  const ownerPassword = input.ownerEmail ? randomBytes(12).toString('base64url') : null;
  const owner = input.ownerEmail && ownerPassword ? { email: input.ownerEmail, password: ownerPassword } : undefined;
  const data = await graphql<{
    createOrganization: { organization: { id: string }; tenant: { id: string }; apiKey: { secret: string } };
  }>(asAdmin(), CREATE, { input: { name: input.name, country: input.country.toUpperCase(), ...(owner ? { owner } : {}) } });
  const { organization, tenant, apiKey } = data.createOrganization;
  return { organizationId: organization.id, tenantId: tenant.id, apiKey: apiKey.secret, ownerPassword };
}
