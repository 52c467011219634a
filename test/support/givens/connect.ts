// Givens for Connect stories: a platform with Connect enabled, an express account with its link,
// and an onboarding form a user would submit.
import { expect } from 'vitest';
import {
  CreateConnectedAccountDocument,
  EnableConnectPlatformDocument,
  type CompleteOnboardingInput,
  type CreateConnectedAccountInput,
} from '../../generated/graphql.ts';
import { givenOrganization, type OrganizationFixture } from './organizations.ts';
import { withKey, type TestServer } from '../server.ts';

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

/**
 * A new user onboarded the way new users are: on the hosted page, signing up with an e-mail,
 * opening the verification link, choosing a password and finishing. Their express account is then
 * ACTIVE with its own organization and tenant, and the user can sign in elsewhere.
 */
export async function givenOnboardedUser(server: TestServer, platform: OrganizationFixture) {
  const { account, token } = await givenExpressAccount(server, platform);
  const { email, password } = onboardingForm(token);
  const base = `/onboarding/${token}`;
  const post = (path: string, fields: Record<string, string>, cookie = '') =>
    server.fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams(fields).toString(),
    });
  expect((await post('/sign-up', { email })).status).toBe(303);
  const { text } = await server.prisma.outboxEmail.findFirstOrThrow({ where: { to: email } });
  const verification = await server.fetch(
    new URL(/(http\S+\/verify\/\S+)/.exec(text)?.[1] ?? expect.fail('no verification link')).pathname,
  );
  const cookie = (verification.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  expect((await post('/password', { password }, cookie)).status).toBe(303);
  const completed = await post('/complete', { organizationName: `Merchant of ${email}`, country: 'DE' }, cookie);
  expect(completed.headers.get('location'), await completed.text()).toBe(REDIRECT_URL);
  const row = await server.prisma.connectedAccount.findUniqueOrThrow({ where: { id: account.id } });
  return {
    email,
    password,
    accountId: account.id,
    organizationId: row.connectedOrganizationId ?? expect.fail('not onboarded'),
    tenantId: row.connectedTenantId ?? expect.fail('not onboarded'),
  };
}

/** An express account that completed its onboarding: ACTIVE, with its own organization and tenant. */
export async function givenActiveAccount(server: TestServer, platform: OrganizationFixture) {
  const { accountId, organizationId, tenantId } = await givenOnboardedUser(server, platform);
  return { accountId, organizationId, tenantId };
}

export const actingFor = (platform: OrganizationFixture, accountId: string) => ({
  ...withKey(platform.apiKey),
  'x-meteroid-connect-account': accountId,
});
