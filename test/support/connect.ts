// Givens for Connect stories: a platform with Connect enabled, an express account with its link,
// and an onboarding form a user would submit.
import { expect } from 'vitest';
import {
  CompleteOnboardingDocument,
  CreateConnectedAccountDocument,
  EnableConnectPlatformDocument,
  type CompleteOnboardingInput,
  type CreateConnectedAccountInput,
} from '../generated/graphql.ts';
import { givenOrganization, type OrganizationFixture } from './fixtures.ts';
import { withKey, type TestServer } from './server.ts';

export const REDIRECT_URL = 'https://platform.example/connect/done';

export async function givenConnectPlatform(server: TestServer, name = 'Acme Platform'): Promise<OrganizationFixture> {
  const platform = await givenOrganization(server, name);
  const response = await server.request(EnableConnectPlatformDocument, { input: { redirectUrl: REDIRECT_URL } }, withKey(platform.apiKey));
  expect(response.data?.enableConnectPlatform.__typename, JSON.stringify(response)).toBe('EnableConnectPlatformPayload');
  return platform;
}

let accounts = 0;

export async function givenExpressAccount(
  server: TestServer,
  platform: OrganizationFixture,
  input: Partial<CreateConnectedAccountInput> = {},
) {
  accounts += 1;
  const response = await server.request(
    CreateConnectedAccountDocument,
    {
      input: {
        connectionType: 'EXPRESS',
        email: `owner${accounts}@merchant.example`,
        organizationName: `Merchant ${accounts}`,
        country: 'DE',
        ...input,
      },
    },
    withKey(platform.apiKey),
  );
  const result = response.data?.createConnectedAccount;
  if (result?.__typename !== 'CreateConnectedAccountPayload' || !result.onboardingLink?.token) {
    return expect.fail(`createConnectedAccount failed: ${JSON.stringify(response)}`);
  }
  return { account: result.connectedAccount, link: result.onboardingLink, token: result.onboardingLink.token };
}

export function onboardingForm(token: string, overrides: Partial<CompleteOnboardingInput> = {}): CompleteOnboardingInput {
  accounts += 1;
  return {
    token,
    email: `user${accounts}-${Math.random().toString(36).slice(2, 8)}@merchant.example`,
    password: 'correct horse battery staple',
    organizationName: 'Merchant GmbH',
    country: 'DE',
    legalName: 'Merchant GmbH',
    addressLine1: 'Hauptstraße 1',
    city: 'Berlin',
    postalCode: '10115',
    vatNumber: 'DE123456789',
    ...overrides,
  };
}

/** An express account that completed its onboarding: ACTIVE, with its own organization and tenant. */
export async function givenActiveAccount(server: TestServer, platform: OrganizationFixture) {
  const { account, token } = await givenExpressAccount(server, platform);
  const response = await server.request(CompleteOnboardingDocument, { input: onboardingForm(token) });
  const result = response.data?.completeOnboarding;
  if (result?.__typename !== 'CompleteOnboardingPayload') return expect.fail(JSON.stringify(response));
  return { accountId: account.id, organizationId: result.organizationId, tenantId: result.tenantId };
}

export const actingFor = (platform: OrganizationFixture, accountId: string) => ({
  ...withKey(platform.apiKey),
  'x-meteroid-connect-account': accountId,
});
