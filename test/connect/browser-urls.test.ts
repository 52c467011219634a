// Where a platform has us send a browser (its redirectUrl, a link's returnUrl and refreshUrl, its
// OAuth redirect URIs) follows the webhook URLs' rule: https in production, http only for a loopback
// host outside production. They took any http URL, in production too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigureConnectOAuthDocument,
  CreateAccountUpdateLinkDocument,
  CreateConnectedAccountDocument,
  EnableConnectPlatformDocument,
  RegenerateOnboardingLinkDocument,
  UpdateConnectPlatformDocument,
} from '../generated/graphql.ts';
import { givenConnectPlatform, givenExpressAccount } from '../support/givens/connect.ts';
import { givenOrganization, type OrganizationFixture } from '../support/givens/organizations.ts';
import { startTestServer, TEST_ENCRYPTION_KEYS, withKey, type TestServer } from '../support/server.ts';

/** Every field that takes such a URL, as the answer to `url` given there: the field's result. */
function browserUrlFields(server: TestServer, platform: OrganizationFixture, accountId: string) {
  const as = withKey(platform.apiKey);
  const account = { connectionType: 'EXPRESS' as const, email: 'owner@shop.example', organizationName: 'Shop' };
  return {
    'enableConnectPlatform input.redirectUrl': async (url: string) => {
      const fresh = await givenOrganization(server, 'Fresh Platform');
      return (await server.request(EnableConnectPlatformDocument, { input: { redirectUrl: url } }, withKey(fresh.apiKey))).data
        ?.enableConnectPlatform;
    },
    'updateConnectPlatform input.redirectUrl': async (url: string) =>
      (await server.request(UpdateConnectPlatformDocument, { input: { redirectUrl: url } }, as)).data?.updateConnectPlatform,
    'configureConnectOAuth input.redirectUris.0': async (url: string) =>
      (await server.request(ConfigureConnectOAuthDocument, { input: { redirectUris: [url] } }, as)).data?.configureConnectOAuth,
    'createConnectedAccount input.returnUrl': async (url: string) =>
      (await server.request(CreateConnectedAccountDocument, { input: { ...account, returnUrl: url } }, as)).data?.createConnectedAccount,
    'createConnectedAccount input.refreshUrl': async (url: string) =>
      (await server.request(CreateConnectedAccountDocument, { input: { ...account, refreshUrl: url } }, as)).data?.createConnectedAccount,
    'regenerateOnboardingLink input.returnUrl': async (url: string) =>
      (await server.request(RegenerateOnboardingLinkDocument, { input: { connectedAccountId: accountId, returnUrl: url } }, as)).data
        ?.regenerateOnboardingLink,
    'regenerateOnboardingLink input.refreshUrl': async (url: string) =>
      (await server.request(RegenerateOnboardingLinkDocument, { input: { connectedAccountId: accountId, refreshUrl: url } }, as)).data
        ?.regenerateOnboardingLink,
    // Checked before the account is (it is PENDING here, so a good URL gets INVALID_STATE).
    'createAccountUpdateLink input.returnUrl': async (url: string) =>
      (await server.request(CreateAccountUpdateLinkDocument, { input: { connectedAccountId: accountId, returnUrl: url } }, as)).data
        ?.createAccountUpdateLink,
    'createAccountUpdateLink input.refreshUrl': async (url: string) =>
      (await server.request(CreateAccountUpdateLinkDocument, { input: { connectedAccountId: accountId, refreshUrl: url } }, as)).data
        ?.createAccountUpdateLink,
  };
}

type Fields = ReturnType<typeof browserUrlFields>;

async function expectRefused(fields: Fields, url: string) {
  for (const [name, give] of Object.entries(fields)) {
    const field = name.split(' ')[1];
    expect(await give(url), `${name} = ${url}`).toMatchObject({
      code: 'VALIDATION',
      fields: [field],
      message: expect.stringMatching(/https/),
    });
  }
}

async function expectAccepted(fields: Fields, url: string) {
  for (const [name, give] of Object.entries(fields)) {
    const result = await give(url);
    expect(result?.__typename, `${name} = ${url}: ${JSON.stringify(result)}`).toMatch(
      name.startsWith('createAccountUpdateLink') ? /^InvalidStateError$/ : /Payload$/,
    );
  }
}

describe('in production', () => {
  let server: TestServer;
  let fields: Fields;
  beforeAll(async () => {
    server = await startTestServer({
      environment: { NODE_ENV: 'production', DATABASE_URL: 'postgresql://unused.invalid/db', ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS },
    });
    const platform = await givenConnectPlatform(server, 'Production Platform');
    const { account } = await givenExpressAccount(server, platform);
    fields = browserUrlFields(server, platform, account.id);
  });
  afterAll(() => server?.close());

  it('refuses http, to any host, with VALIDATION on the field', async () => {
    const accountsBefore = await server.prisma.connectedAccount.count();
    for (const url of [
      'http://platform.example/back',
      'http://localhost:3000/back',
      'http://127.0.0.1:3000/back',
      'http://[::1]:3000/back',
    ]) {
      await expectRefused(fields, url);
    }
    expect(await server.prisma.connectedAccount.count()).toBe(accountsBefore);
  });

  it('accepts https', async () => {
    await expectAccepted(fields, 'https://platform.example/back?customer=42');
  });
});

describe('outside production', () => {
  let server: TestServer;
  let fields: Fields;
  beforeAll(async () => {
    server = await startTestServer();
    const platform = await givenConnectPlatform(server, 'Development Platform');
    const { account } = await givenExpressAccount(server, platform);
    fields = browserUrlFields(server, platform, account.id);
  });
  afterAll(() => server?.close());

  it('accepts http to a loopback host, where a developer serves', async () => {
    for (const url of [
      'http://localhost:3000/back',
      'http://app.localhost:3000/back',
      'http://127.0.0.1:3000/back',
      'http://[::1]:3000/back',
    ]) {
      await expectAccepted(fields, url);
    }
  });

  it('refuses http to any other host', async () => {
    await expectRefused(fields, 'http://platform.example/back');
  });
});
