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
  /** A new owner with a password made here (printed once). */
  ownerEmail?: string | undefined;
  /** Or an owner whose password the caller chose. */
  owner?: { email: string; password: string };
}): Promise<CreatedOrganization> {
  const ownerPassword = input.owner?.password ?? (input.ownerEmail ? randomBytes(12).toString('base64url') : null);
  const email = input.owner?.email ?? input.ownerEmail;
  const owner = email && ownerPassword ? { email, password: ownerPassword } : undefined;
  const data = await graphql<{
    createOrganization: { organization: { id: string }; tenant: { id: string }; apiKey: { secret: string } };
  }>(asAdmin(), CREATE, { input: { name: input.name, country: input.country.toUpperCase(), ...(owner ? { owner } : {}) } });
  const { organization, tenant, apiKey } = data.createOrganization;
  return { organizationId: organization.id, tenantId: tenant.id, apiKey: apiKey.secret, ownerPassword };
}
