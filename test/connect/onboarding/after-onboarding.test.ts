// Onboarding links that say where to send the user, and a platform's required business details,
// on both ways to complete: the GraphQL mutation and the hosted page.
import { describe, expect } from 'vitest';
import { platformWorld } from '../../support/world.ts';
import {
  CompleteOnboardingDocument,
  CreateConnectedAccountDocument,
  RegenerateOnboardingLinkDocument,
  UpdateConnectPlatformDocument,
  type BusinessDetail,
} from '../../generated/graphql.ts';
import { refreshUrlOf } from '../../../src/connect/accounts/links.ts';
import { givenOnboardedUser, onboardingForm, REDIRECT_URL } from '../../support/givens/connect.ts';
import { withKey } from '../../support/server.ts';

/** An existing user, who completes further onboardings by signing in. */

const { test, world } = platformWorld({}, async (seed) => {
  const platform = await seed.connectPlatform('Destinations Platform');
  const user = await givenOnboardedUser(seed.server, platform);
  return { platform, user };
});

const RETURN_URL = 'https://platform.example/connect/welcome?customer=42';
const REFRESH_URL = 'https://platform.example/connect/new-link';

const requireDetails = async (requiredBusinessDetails: BusinessDetail[]) => {
  const response = await world.server.request(
    UpdateConnectPlatformDocument,
    { input: { requiredBusinessDetails } },
    withKey(world.platform.apiKey),
  );
  expect(response.data?.updateConnectPlatform.__typename).toBe('UpdateConnectPlatformPayload');
};

const complete = (token: string, overrides: Parameters<typeof onboardingForm>[1] = {}) =>
  world.server.request(CompleteOnboardingDocument, {
    input: onboardingForm(token, { email: world.user.email, password: world.user.password, ...overrides }),
  });

const accountStatus = async (id: string) => (await world.server.prisma.connectedAccount.findUniqueOrThrow({ where: { id } })).status;

/** The hosted page, signed in as the existing user: the form post that completes onboarding. */
async function completeOnHostedPage(token: string, fields: Record<string, string>) {
  const form = (path: string, body: Record<string, string>, cookie = '') =>
    world.server.fetch(`/onboarding/${token}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams(body).toString(),
    });
  const signedIn = await form('/sign-in', world.user);
  expect(signedIn.status).toBe(303);
  const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return form('/complete', { organizationName: 'Hosted Merchant', country: 'DE', ...fields }, cookie);
}

describe('where a link sends the user', () => {
  test('keeps the returnUrl and refreshUrl given at creation, and completion sends the user to the returnUrl', async () => {
    const { account, link, token } = await world.platform.expressAccount({ returnUrl: RETURN_URL, refreshUrl: REFRESH_URL });
    expect(link).toMatchObject({ returnUrl: RETURN_URL, refreshUrl: REFRESH_URL });

    const completed = await complete(token);
    expect(completed.data?.completeOnboarding).toMatchObject({
      __typename: 'CompleteOnboardingPayload',
      redirectUrl: RETURN_URL,
      connectedAccountId: account.id,
    });
  });

  test("sends the user to the platform's redirectUrl when the link has no returnUrl", async () => {
    const { token } = await world.platform.expressAccount({ refreshUrl: REFRESH_URL });
    expect((await complete(token)).data?.completeOnboarding).toMatchObject({ redirectUrl: REDIRECT_URL });
  });

  test("gives a regenerated link the call's own destinations, not the earlier link's", async () => {
    const { account } = await world.platform.expressAccount({ returnUrl: RETURN_URL, refreshUrl: REFRESH_URL });
    const regenerate = (input: { returnUrl?: string; refreshUrl?: string }) =>
      world.server.request(
        RegenerateOnboardingLinkDocument,
        { input: { connectedAccountId: account.id, ...input } },
        withKey(world.platform.apiKey),
      );

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

  test('refuses a destination a browser cannot be sent to, naming it, and makes nothing', async () => {
    const created = await world.server.request(
      CreateConnectedAccountDocument,
      {
        input: {
          connectionType: 'EXPRESS',
          email: 'ftp@merchant.example',
          organizationName: 'FTP Shop',
          returnUrl: 'ftp://platform.example/x',
        },
      },
      withKey(world.platform.apiKey),
    );
    expect(created.data?.createConnectedAccount).toMatchObject({ code: 'VALIDATION', fields: ['input.returnUrl'] });
    expect(await world.server.prisma.connectedAccount.count({ where: { pendingEmail: 'ftp@merchant.example' } })).toBe(0);

    const { account } = await world.platform.expressAccount();
    const regenerated = await world.server.request(
      RegenerateOnboardingLinkDocument,
      { input: { connectedAccountId: account.id, refreshUrl: 'javascript:alert(1)' } },
      withKey(world.platform.apiKey),
    );
    expect(regenerated.data?.regenerateOnboardingLink).toMatchObject({ code: 'VALIDATION', fields: ['input.refreshUrl'] });
    expect(await world.server.prisma.onboardingLink.count({ where: { connectedAccountId: account.id } })).toBe(1);
  });

  test("tells the hosted pages a link's refreshUrl from its token while it is valid, expired, used or replaced, and nothing for others", async () => {
    const replaced = await world.platform.expressAccount({ refreshUrl: REFRESH_URL });
    await world.server.request(
      RegenerateOnboardingLinkDocument,
      { input: { connectedAccountId: replaced.account.id } },
      withKey(world.platform.apiKey),
    );
    const used = await world.platform.expressAccount({ refreshUrl: REFRESH_URL });
    await complete(used.token);
    const valid = await world.platform.expressAccount({ refreshUrl: REFRESH_URL });
    const without = await world.platform.expressAccount();

    expect(await refreshUrlOf(world.server.prisma, valid.token)).toBe(REFRESH_URL);
    expect(await refreshUrlOf(world.server.prisma, replaced.token)).toBe(REFRESH_URL);
    expect(await refreshUrlOf(world.server.prisma, used.token)).toBe(REFRESH_URL);
    expect(await refreshUrlOf(world.server.prisma, without.token)).toBeNull();
    expect(await refreshUrlOf(world.server.prisma, 'A'.repeat(44))).toBeNull();
    expect(await refreshUrlOf(world.server.prisma, "' OR 1=1 --")).toBeNull();

    world.server.clock.advance(8 * 24 * 60 * 60 * 1000);
    expect(await refreshUrlOf(world.server.prisma, valid.token)).toBe(REFRESH_URL);
  });
});

describe("the platform's required business details", () => {
  test('refuse a completion without them, naming each missing field, and leave the link usable', async () => {
    await requireDetails(['LEGAL_NAME', 'ADDRESS', 'VAT_NUMBER', 'PHONE']);
    try {
      const { account, token } = await world.platform.expressAccount();
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
      const entity = await world.server.prisma.invoicingEntity.findFirstOrThrow({ where: { tenantId: result.tenantId, isDefault: true } });
      expect(entity).toMatchObject({ phone: '+493012345678', vatNumber: 'DE123456789', legalName: 'Merchant GmbH' });
    } finally {
      await requireDetails([]);
    }
  });

  test('are those of the platform at completion, not when the link was made', async () => {
    const { account, token } = await world.platform.expressAccount();
    await requireDetails(['PHONE']);
    try {
      expect((await complete(token)).data?.completeOnboarding).toMatchObject({ code: 'VALIDATION', fields: ['input.phone'] });
      expect(await accountStatus(account.id)).toBe('PENDING');
    } finally {
      await requireDetails([]);
    }
    expect((await complete(token)).data?.completeOnboarding.__typename).toBe('CompleteOnboardingPayload');
  });

  test('hold on the hosted page too, which then sends the user to the returnUrl', async () => {
    const { account, token } = await world.platform.expressAccount({ returnUrl: RETURN_URL });
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
