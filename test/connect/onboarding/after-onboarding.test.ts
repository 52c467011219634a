// Onboarding links that say where to send the user, and a platform's required business details,
// on both ways to complete: the GraphQL mutation and the hosted page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CompleteOnboardingDocument,
  CreateConnectedAccountDocument,
  RegenerateOnboardingLinkDocument,
  UpdateConnectPlatformDocument,
  type BusinessDetail,
} from '../../generated/graphql.ts';
import { refreshUrlOf } from '../../../src/connect/accounts/links.ts';
import {
  givenConnectPlatform,
  givenExpressAccount,
  givenOnboardedUser,
  onboardingForm,
  REDIRECT_URL,
} from '../../support/givens/connect.ts';
import type { OrganizationFixture } from '../../support/givens/organizations.ts';
import { startTestServer, withKey, type TestServer } from '../../support/server.ts';

let server: TestServer;
let platform: OrganizationFixture;
/** An existing user, who completes further onboardings by signing in. */
let user: { email: string; password: string };

beforeAll(async () => {
  server = await startTestServer();
  platform = await givenConnectPlatform(server, 'Destinations Platform');
  user = await givenOnboardedUser(server, platform);
});
afterAll(() => server?.close());

const RETURN_URL = 'https://platform.example/connect/welcome?customer=42';
const REFRESH_URL = 'https://platform.example/connect/new-link';

const requireDetails = async (requiredBusinessDetails: BusinessDetail[]) => {
  const response = await server.request(UpdateConnectPlatformDocument, { input: { requiredBusinessDetails } }, withKey(platform.apiKey));
  expect(response.data?.updateConnectPlatform.__typename).toBe('UpdateConnectPlatformPayload');
};

const complete = (token: string, overrides: Parameters<typeof onboardingForm>[1] = {}) =>
  server.request(CompleteOnboardingDocument, {
    input: onboardingForm(token, { email: user.email, password: user.password, ...overrides }),
  });

const accountStatus = async (id: string) => (await server.prisma.connectedAccount.findUniqueOrThrow({ where: { id } })).status;

/** The hosted page, signed in as the existing user: the form post that completes onboarding. */
async function completeOnHostedPage(token: string, fields: Record<string, string>) {
  const form = (path: string, body: Record<string, string>, cookie = '') =>
    server.fetch(`/onboarding/${token}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams(body).toString(),
    });
  const signedIn = await form('/sign-in', user);
  expect(signedIn.status).toBe(303);
  const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return form('/complete', { organizationName: 'Hosted Merchant', country: 'DE', ...fields }, cookie);
}

describe('where a link sends the user', () => {
  it('keeps the returnUrl and refreshUrl given at creation, and completion sends the user to the returnUrl', async () => {
    const { account, link, token } = await givenExpressAccount(server, platform, { returnUrl: RETURN_URL, refreshUrl: REFRESH_URL });
    expect(link).toMatchObject({ returnUrl: RETURN_URL, refreshUrl: REFRESH_URL });

    const completed = await complete(token);
    expect(completed.data?.completeOnboarding).toMatchObject({
      __typename: 'CompleteOnboardingPayload',
      redirectUrl: RETURN_URL,
      connectedAccountId: account.id,
    });
  });

  it("sends the user to the platform's redirectUrl when the link has no returnUrl", async () => {
    const { token } = await givenExpressAccount(server, platform, { refreshUrl: REFRESH_URL });
    expect((await complete(token)).data?.completeOnboarding).toMatchObject({ redirectUrl: REDIRECT_URL });
  });

  it("gives a regenerated link the call's own destinations, not the earlier link's", async () => {
    const { account } = await givenExpressAccount(server, platform, { returnUrl: RETURN_URL, refreshUrl: REFRESH_URL });
    const regenerate = (input: { returnUrl?: string; refreshUrl?: string }) =>
      server.request(RegenerateOnboardingLinkDocument, { input: { connectedAccountId: account.id, ...input } }, withKey(platform.apiKey));

    const bare = await regenerate({});
    expect(bare.data?.regenerateOnboardingLink).toMatchObject({ onboardingLink: { returnUrl: null, refreshUrl: null } });
    const given = await regenerate({ returnUrl: 'https://platform.example/second', refreshUrl: 'https://platform.example/again' });
    const result = given.data?.regenerateOnboardingLink;
    if (result?.__typename !== 'RegenerateOnboardingLinkPayload' || !result.onboardingLink?.token)
      return expect.fail(JSON.stringify(given));
    expect(result.onboardingLink).toMatchObject({
      returnUrl: 'https://platform.example/second',
      refreshUrl: 'https://platform.example/again',
    });
    expect((await complete(result.onboardingLink.token)).data?.completeOnboarding).toMatchObject({
      redirectUrl: 'https://platform.example/second',
    });
  });

  it('refuses a destination a browser cannot be sent to, naming it, and makes nothing', async () => {
    const created = await server.request(
      CreateConnectedAccountDocument,
      {
        input: {
          connectionType: 'EXPRESS',
          email: 'ftp@merchant.example',
          organizationName: 'FTP Shop',
          returnUrl: 'ftp://platform.example/x',
        },
      },
      withKey(platform.apiKey),
    );
    expect(created.data?.createConnectedAccount).toMatchObject({ code: 'VALIDATION', fields: ['input.returnUrl'] });
    expect(await server.prisma.connectedAccount.count({ where: { pendingEmail: 'ftp@merchant.example' } })).toBe(0);

    const { account } = await givenExpressAccount(server, platform);
    const regenerated = await server.request(
      RegenerateOnboardingLinkDocument,
      { input: { connectedAccountId: account.id, refreshUrl: 'javascript:alert(1)' } },
      withKey(platform.apiKey),
    );
    expect(regenerated.data?.regenerateOnboardingLink).toMatchObject({ code: 'VALIDATION', fields: ['input.refreshUrl'] });
    expect(await server.prisma.onboardingLink.count({ where: { connectedAccountId: account.id } })).toBe(1);
  });

  it("tells the hosted pages a link's refreshUrl from its token while it is valid, expired, used or replaced, and nothing for others", async () => {
    const replaced = await givenExpressAccount(server, platform, { refreshUrl: REFRESH_URL });
    await server.request(
      RegenerateOnboardingLinkDocument,
      { input: { connectedAccountId: replaced.account.id } },
      withKey(platform.apiKey),
    );
    const used = await givenExpressAccount(server, platform, { refreshUrl: REFRESH_URL });
    await complete(used.token);
    const valid = await givenExpressAccount(server, platform, { refreshUrl: REFRESH_URL });
    const without = await givenExpressAccount(server, platform);

    expect(await refreshUrlOf(server.prisma, valid.token)).toBe(REFRESH_URL);
    expect(await refreshUrlOf(server.prisma, replaced.token)).toBe(REFRESH_URL);
    expect(await refreshUrlOf(server.prisma, used.token)).toBe(REFRESH_URL);
    expect(await refreshUrlOf(server.prisma, without.token)).toBeNull();
    expect(await refreshUrlOf(server.prisma, 'A'.repeat(44))).toBeNull();
    expect(await refreshUrlOf(server.prisma, "' OR 1=1 --")).toBeNull();

    server.clock.advance(8 * 24 * 60 * 60 * 1000);
    expect(await refreshUrlOf(server.prisma, valid.token)).toBe(REFRESH_URL);
  });
});

describe("the platform's required business details", () => {
  it('refuse a completion without them, naming each missing field, and leave the link usable', async () => {
    await requireDetails(['LEGAL_NAME', 'ADDRESS', 'VAT_NUMBER', 'PHONE']);
    try {
      const { account, token } = await givenExpressAccount(server, platform);
      const refused = await complete(token, {
        legalName: ' ',
        addressLine1: null,
        city: 'Berlin',
        postalCode: null,
        vatNumber: undefined,
        phone: null,
      });
      expect(refused.data?.completeOnboarding).toMatchObject({
        __typename: 'ValidationError',
        code: 'VALIDATION',
        fields: ['input.legalName', 'input.addressLine1', 'input.postalCode', 'input.vatNumber', 'input.phone'],
      });
      expect(await accountStatus(account.id)).toBe('PENDING');

      const badPhone = await complete(token, { phone: '0049 30 1234567' });
      expect(badPhone.data?.completeOnboarding).toMatchObject({ code: 'VALIDATION', fields: ['input.phone'] });

      const completed = await complete(token, { phone: ' +493012345678 ' });
      const result = completed.data?.completeOnboarding;
      if (result?.__typename !== 'CompleteOnboardingPayload') return expect.fail(JSON.stringify(completed));
      const entity = await server.prisma.invoicingEntity.findFirstOrThrow({ where: { tenantId: result.tenantId, isDefault: true } });
      expect(entity).toMatchObject({ phone: '+493012345678', vatNumber: 'DE123456789', legalName: 'Merchant GmbH' });
    } finally {
      await requireDetails([]);
    }
  });

  it('are those of the platform at completion, not when the link was made', async () => {
    const { account, token } = await givenExpressAccount(server, platform);
    await requireDetails(['PHONE']);
    try {
      expect((await complete(token)).data?.completeOnboarding).toMatchObject({ code: 'VALIDATION', fields: ['input.phone'] });
      expect(await accountStatus(account.id)).toBe('PENDING');
    } finally {
      await requireDetails([]);
    }
    expect((await complete(token)).data?.completeOnboarding.__typename).toBe('CompleteOnboardingPayload');
  });

  it('hold on the hosted page too, which then sends the user to the returnUrl', async () => {
    const { account, token } = await givenExpressAccount(server, platform, { returnUrl: RETURN_URL });
    await requireDetails(['VAT_NUMBER']);
    try {
      const refused = await completeOnHostedPage(token, {});
      expect(refused.status).toBe(400);
      expect(await accountStatus(account.id)).toBe('PENDING');

      const completed = await completeOnHostedPage(token, { vatNumber: 'DE999999999' });
      expect(completed.status, await completed.text()).toBe(303);
      expect(completed.headers.get('location')).toBe(RETURN_URL);
      expect(await accountStatus(account.id)).toBe('ACTIVE');
    } finally {
      await requireDetails([]);
    }
  });
});
