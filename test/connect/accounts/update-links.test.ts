// Account update links: a platform makes one for an ACTIVE EXPRESS account; its user signs in on the
// hosted page and saves the business details; the link works once, for 15 minutes, and only there.
import { randomBytes } from 'node:crypto';
import { describe, expect } from 'vitest';
import { platformWorld } from '../../support/world.ts';
import {
  CompleteOnboardingDocument,
  CreateAccountUpdateLinkDocument,
  EventsDocument,
  OnboardingSessionDocument,
  ReactivateConnectedAccountDocument,
  RegenerateOnboardingLinkDocument,
  RevokeConnectedAccountDocument,
  SuspendConnectedAccountDocument,
  UpdateConnectPlatformDocument,
  type BusinessDetail,
} from '../../generated/graphql.ts';
import {
  postForm,
  sessionCookie,
  signInToUpdatePage,
  UPDATE_REFRESH_URL,
  UPDATE_RETURN_URL,
} from '../../support/givens/account-updates.ts';
import { onboardingForm, REDIRECT_URL } from '../../support/givens/connect.ts';
import { givenOAuthPlatform, givenOwnedOrganization, givenStandardAccount } from '../../support/givens/oauth.ts';
import { withKey } from '../../support/server.ts';
import { sha256Hex } from '../../../src/crypto/tokens.ts';

const MINUTE = 60 * 1000;

const { test, world } = platformWorld({}, async (seed) => {
  const platform = await seed.connectPlatform('Update Platform');
  const otherPlatform = await seed.connectPlatform('Other Platform');
  return { platform, otherPlatform };
});

const createLink = (connectedAccountId: string, key = world.platform.apiKey, headers = withKey(key)) =>
  world.server.request(CreateAccountUpdateLinkDocument, { input: { connectedAccountId } }, headers);
const title = async (response: Response) => /<h1>([^<]*)<\/h1>/.exec(await response.text())?.[1];
const details = {
  legalName: 'Merchant Updated GmbH',
  addressLine1: 'Neue Straße 2',
  city: 'Hamburg',
  postalCode: '20095',
  vatNumber: 'DE111111111',
  phone: '+4940123456',
};
const defaultEntity = (tenantId: string) => world.server.prisma.invoicingEntity.findFirstOrThrow({ where: { tenantId, isDefault: true } });

async function requireDetails(requiredBusinessDetails: BusinessDetail[]) {
  const response = await world.server.request(
    UpdateConnectPlatformDocument,
    { input: { requiredBusinessDetails } },
    withKey(world.platform.apiKey),
  );
  expect(response.data?.updateConnectPlatform.__typename, JSON.stringify(response)).toBe('UpdateConnectPlatformPayload');
}

async function eventsOf(objectId: string, type: string) {
  const response = await world.server.request(
    EventsDocument,
    { first: 10, filter: { objectId, type: [type] } },
    withKey(world.platform.apiKey),
  );
  return response.data?.events.nodes ?? expect.fail(JSON.stringify(response));
}

describe('createAccountUpdateLink', () => {
  test('makes a single-use, 15-minute link to the hosted page, and records connected_account.update_link.created', async () => {
    const user = await world.platform.onboardedUser();
    const link = await world.platform.updateLink(user.accountId, { returnUrl: UPDATE_RETURN_URL, refreshUrl: UPDATE_REFRESH_URL });
    expect(link.url).toMatch(new RegExp(`^${world.server.url}/account-update/[0-9A-Za-z]{44}$`));
    expect(new Date(link.expiresAt).getTime() - world.server.clock.now().getTime()).toBeGreaterThan(14 * MINUTE);
    expect(new Date(link.expiresAt).getTime() - world.server.clock.now().getTime()).toBeLessThanOrEqual(15 * MINUTE);
    const row = await world.server.prisma.onboardingLink.findUniqueOrThrow({ where: { tokenHash: sha256Hex(link.token) } });
    expect(row).toMatchObject({
      kind: 'ACCOUNT_UPDATE',
      connectedAccountId: user.accountId,
      returnUrl: UPDATE_RETURN_URL,
      refreshUrl: UPDATE_REFRESH_URL,
    });

    const [created, ...more] = await eventsOf(user.accountId, 'connected_account.update_link.created');
    expect(more).toEqual([]);
    expect(created).toMatchObject({
      connectedAccountId: user.accountId,
      actor: { type: 'API_KEY', id: world.platform.apiKeyId },
      data: { object: { id: user.accountId, status: 'ACTIVE' } },
    });
    expect(JSON.stringify(created)).not.toContain(link.token);

    // Used once: sign in, save, back to the returnUrl; the details are saved and the platform told.
    expect(await title(await world.server.fetch(link.path))).toBe('Sign in');
    const cookie = await signInToUpdatePage(world.server, link.path, user);
    const saved = await postForm(world.server, `${link.path}/save`, details, cookie);
    expect(saved.status, await saved.clone().text()).toBe(303);
    expect(saved.headers.get('location')).toBe(UPDATE_RETURN_URL);
    expect(await defaultEntity(user.tenantId)).toMatchObject(details);
    expect(await eventsOf(user.accountId, 'connected_account.updated')).toHaveLength(1);
    expect((await world.server.prisma.onboardingLink.findUniqueOrThrow({ where: { id: row.id } })).usedAt).not.toBeNull();

    // Spent: the page sends the browser to the refreshUrl, even with the session's cookie.
    const again = await world.server.fetch(link.path, { headers: { cookie } });
    expect([again.status, again.headers.get('location')]).toEqual([303, UPDATE_REFRESH_URL]);
    const resubmitted = await postForm(world.server, `${link.path}/save`, { ...details, legalName: 'Second Save GmbH' }, cookie);
    expect(resubmitted.headers.get('location')).toBe(UPDATE_REFRESH_URL);
    expect((await defaultEntity(user.tenantId)).legalName).toBe(details.legalName);
    // The token is a credential: the request log shows the page's path without it.
    expect(world.server.logs()).toContain('"path":"/account-update/[token]/save"');
    expect(world.server.logs()).not.toContain(link.token);
  });

  test('lives 15 minutes; a dead link without a refreshUrl gets a page that says what to do', async () => {
    const user = await world.platform.onboardedUser();
    const expiring = await world.platform.updateLink(user.accountId, { refreshUrl: UPDATE_REFRESH_URL });
    const plain = await world.otherPlatform.updateLink((await world.otherPlatform.onboardedUser()).accountId);
    world.server.clock.advance(14 * MINUTE);
    expect((await world.server.fetch(expiring.path)).status).toBe(200);
    expect((await world.server.fetch(plain.path)).status).toBe(200);
    world.server.clock.advance(MINUTE + 1000);
    const expired = await world.server.fetch(expiring.path);
    expect([expired.status, expired.headers.get('location')]).toEqual([303, UPDATE_REFRESH_URL]);
    const page = await world.server.fetch(plain.path);
    expect(page.status).toBe(410);
    const text = await page.text();
    expect(text).toContain('This link has expired');
    expect(text).toContain('Ask Other Platform to send you a new link to update your details.');
  });

  test('replaces the earlier update links of the account; suspension pauses them and revocation ends them', async () => {
    const user = await world.platform.onboardedUser();
    const first = await world.platform.updateLink(user.accountId, { refreshUrl: UPDATE_REFRESH_URL });
    const second = await world.platform.updateLink(user.accountId);
    expect((await world.server.fetch(first.path)).headers.get('location')).toBe(UPDATE_REFRESH_URL);
    expect((await world.server.fetch(second.path)).status).toBe(200);
    // While the account is suspended its link opens nothing; reactivated (within the 15 minutes), it works again.
    await world.server.request(SuspendConnectedAccountDocument, { input: { id: user.accountId } }, withKey(world.platform.apiKey));
    expect((await world.server.fetch(second.path)).status).toBe(404);
    await world.server.request(ReactivateConnectedAccountDocument, { input: { id: user.accountId } }, withKey(world.platform.apiKey));
    expect((await world.server.fetch(second.path)).status).toBe(200);
    await world.server.request(RevokeConnectedAccountDocument, { input: { id: user.accountId } }, withKey(world.platform.apiKey));
    const revoked = await world.server.fetch(second.path);
    expect([revoked.status, await title(revoked)]).toEqual([404, 'This link is not valid']);
  });

  test('is for an ACTIVE EXPRESS account only: INVALID_STATE for PENDING, SUSPENDED, REVOKED and STANDARD, with no link made', async () => {
    const pending = (await world.platform.expressAccount()).account.id;
    const suspended = (await world.platform.onboardedUser()).accountId;
    await world.server.request(SuspendConnectedAccountDocument, { input: { id: suspended } }, withKey(world.platform.apiKey));
    const revoked = (await world.platform.onboardedUser()).accountId;
    await world.server.request(RevokeConnectedAccountDocument, { input: { id: revoked } }, withKey(world.platform.apiKey));
    const oauthPlatform = await givenOAuthPlatform(world.server, 'OAuth Platform');
    const standard = await givenStandardAccount(world.server, oauthPlatform, await givenOwnedOrganization(world.server));

    const attempts: [string, string, string][] = [
      ['PENDING', pending, world.platform.apiKey],
      ['SUSPENDED', suspended, world.platform.apiKey],
      ['REVOKED', revoked, world.platform.apiKey],
      ['STANDARD', standard.accountId, oauthPlatform.apiKey],
    ];
    for (const [name, id, key] of attempts) {
      expect((await createLink(id, key)).data?.createAccountUpdateLink, name).toMatchObject({
        __typename: 'InvalidStateError',
        code: 'INVALID_STATE',
      });
    }
    expect(
      await world.server.prisma.onboardingLink.count({
        where: { kind: 'ACCOUNT_UPDATE', connectedAccountId: { in: attempts.map(([, id]) => id) } },
      }),
    ).toBe(0);
  });

  test('treats another platform’s account exactly like one that does not exist, and is refused while acting on behalf', async () => {
    const foreign = await world.otherPlatform.onboardedUser();
    expect((await createLink(foreign.accountId)).data?.createAccountUpdateLink).toMatchObject({
      code: 'NOT_FOUND',
      message: `No connected account ${foreign.accountId}.`,
    });
    expect((await createLink('cacc_doesnotexist')).data?.createAccountUpdateLink).toMatchObject({
      code: 'NOT_FOUND',
      message: 'No connected account cacc_doesnotexist.',
    });

    const own = await world.platform.onboardedUser();
    const acting = await createLink(own.accountId, world.platform.apiKey, world.platform.actingFor(own.accountId));
    expect(acting.status).toBe(403);
    expect(acting.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(
      await world.server.prisma.onboardingLink.count({
        where: { kind: 'ACCOUNT_UPDATE', connectedAccountId: { in: [foreign.accountId, own.accountId] } },
      }),
    ).toBe(0);
  });

  test('takes only http(s) return and refresh URLs', async () => {
    const { accountId } = await world.platform.onboardedUser();
    const response = await world.server.request(
      CreateAccountUpdateLinkDocument,
      { input: { connectedAccountId: accountId, returnUrl: 'javascript:alert(1)', refreshUrl: 'ftp://platform.example/x' } },
      withKey(world.platform.apiKey),
    );
    expect(response.data?.createAccountUpdateLink).toMatchObject({ code: 'VALIDATION', fields: ['input.returnUrl'] });
  });
});

describe('link kinds', () => {
  test('never takes an update token for an onboarding token, in any state', async () => {
    const user = await world.platform.onboardedUser();
    const link = await world.platform.updateLink(user.accountId);
    const asOnboarding = async () => {
      const session = await world.server.request(OnboardingSessionDocument, { token: link.token });
      const completion = await world.server.request(CompleteOnboardingDocument, {
        input: onboardingForm(link.token, { email: user.email, password: user.password }),
      });
      return [session.data?.onboardingSession, completion.data?.completeOnboarding];
    };
    expect(await asOnboarding()).toMatchObject([{ code: 'LINK_INVALID' }, { code: 'LINK_INVALID' }]);
    expect((await world.server.fetch(`/onboarding/${link.token}`)).status).toBe(404);

    const cookie = await signInToUpdatePage(world.server, link.path, user);
    expect((await postForm(world.server, `${link.path}/save`, details, cookie)).status).toBe(303);
    expect(await asOnboarding()).toMatchObject([{ code: 'LINK_INVALID' }, { code: 'LINK_INVALID' }]);
  });

  test('never takes an onboarding token on the update page', async () => {
    const { token } = await world.platform.expressAccount();
    const response = await world.server.fetch(`/account-update/${token}`);
    expect([response.status, await title(response)]).toEqual([404, 'This link is not valid']);
  });

  test('a new link of one kind leaves the other kind’s links working', async () => {
    // Each kind is made for a different status, so the other kind's link is written here directly.
    const otherKindLink = (connectedAccountId: string, kind: 'ONBOARDING' | 'ACCOUNT_UPDATE') =>
      world.server.prisma.onboardingLink.create({
        data: {
          id: `olink_${randomBytes(8).toString('hex')}`,
          kind,
          platformOrganizationId: world.platform.organizationId,
          connectedAccountId,
          tokenHash: sha256Hex(randomBytes(16).toString('hex')),
          expiresAt: new Date(world.server.clock.now().getTime() + 60 * MINUTE),
        },
      });
    const active = await world.platform.onboardedUser();
    const onboarding = await otherKindLink(active.accountId, 'ONBOARDING');
    await world.platform.updateLink(active.accountId);
    expect((await world.server.prisma.onboardingLink.findUniqueOrThrow({ where: { id: onboarding.id } })).invalidatedAt).toBeNull();

    const pending = await world.platform.expressAccount();
    const update = await otherKindLink(pending.account.id, 'ACCOUNT_UPDATE');
    const regenerated = await world.server.request(
      RegenerateOnboardingLinkDocument,
      { input: { connectedAccountId: pending.account.id } },
      withKey(world.platform.apiKey),
    );
    expect(regenerated.data?.regenerateOnboardingLink.__typename).toBe('RegenerateOnboardingLinkPayload');
    expect((await world.server.prisma.onboardingLink.findUniqueOrThrow({ where: { id: update.id } })).invalidatedAt).toBeNull();
  });
});

describe('the hosted update page', () => {
  test('signs in members of the connected organization only, with one refusal for a wrong password and a non-member', async () => {
    const user = await world.platform.onboardedUser();
    const stranger = await world.platform.onboardedUser();
    const link = await world.platform.updateLink(user.accountId);
    const wrongPassword = await postForm(world.server, `${link.path}/sign-in`, { email: user.email, password: 'not the password' });
    const nonMember = await postForm(world.server, `${link.path}/sign-in`, { email: stranger.email, password: stranger.password });
    const refusals = await Promise.all(
      [wrongPassword, nonMember].map(async (response) => [
        response.status,
        response.headers.get('set-cookie'),
        /role="alert">([^<]*)</.exec(await response.text())?.[1],
      ]),
    );
    expect(refusals[0]).toEqual([401, null, 'The e-mail or the password is not right.']);
    expect(refusals[1]).toEqual(refusals[0]);

    const cookie = await signInToUpdatePage(world.server, link.path, user);
    expect(await title(await world.server.fetch(link.path, { headers: { cookie } }))).toBe('Your business details');
    // The session belongs to its link: another link of the same account asks to sign in again.
    const next = await world.platform.updateLink(user.accountId);
    expect(await title(await world.server.fetch(next.path, { headers: { cookie } }))).toBe('Sign in');
  });

  test('limits failed sign-ins per link like every sign-in', async () => {
    const user = await world.platform.onboardedUser();
    const link = await world.platform.updateLink(user.accountId);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < world.server.config.signInFailures.perLink + 1; attempt += 1) {
      const email = `guess${attempt}-${randomBytes(3).toString('hex')}@merchant.example`;
      statuses.push((await postForm(world.server, `${link.path}/sign-in`, { email, password: 'guessed password' })).status);
    }
    expect(statuses.slice(0, -1).every((status) => status === 401)).toBe(true);
    const refused = await postForm(world.server, `${link.path}/sign-in`, user);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  test('shows the saved details, refuses what the platform requires left blank next to its field, and keeps the link usable', async () => {
    const user = await world.platform.onboardedUser();
    const link = await world.platform.updateLink(user.accountId, { returnUrl: UPDATE_RETURN_URL });
    await requireDetails(['PHONE', 'VAT_NUMBER']);
    try {
      const cookie = await signInToUpdatePage(world.server, link.path, user);
      const form = await (await world.server.fetch(link.path, { headers: { cookie } })).text();
      const entity = await defaultEntity(user.tenantId);
      expect(form).toContain(`value="${entity.legalName}"`);
      // The browser asks for it before sending; the server checks it all the same (a form posted by hand below).
      expect(form).toMatch(/id="phone" name="phone"\s+required/);

      const refused = await postForm(world.server, `${link.path}/save`, { ...details, phone: ' ' }, cookie);
      expect(refused.status).toBe(400);
      const page = await refused.text();
      // One short message in the field's own words, and a summary at the top linking to the field.
      expect(page).toContain('<p class="error" id="phone-error">Phone is required: use the international form, e.g. +4930123456.</p>');
      expect(page).toMatch(/<div class="error-summary" role="alert"[^>]*>.*Please correct one field.*<a href="#phone">Phone is required/s);
      expect(page).not.toContain('input.phone');
      expect(page).toContain(`value="${details.vatNumber}"`);
      const badPhone = await postForm(world.server, `${link.path}/save`, { ...details, phone: '040 123' }, cookie);
      expect(await badPhone.text()).toContain('id="phone-error">Phone is not valid: use the international form, e.g. +4930123456.');
      expect((await defaultEntity(user.tenantId)).legalName).toBe(entity.legalName);

      const saved = await postForm(world.server, `${link.path}/save`, details, cookie);
      expect(saved.headers.get('location')).toBe(UPDATE_RETURN_URL);
      expect(await defaultEntity(user.tenantId)).toMatchObject(details);
    } finally {
      await requireDetails([]);
    }
  });

  test('goes back to the platform’s redirectUrl without a returnUrl, and takes forms from its own pages only', async () => {
    const user = await world.platform.onboardedUser();
    const link = await world.platform.updateLink(user.accountId);
    const signIn = await postForm(world.server, `${link.path}/sign-in`, user);
    expect(signIn.headers.get('set-cookie')).toMatch(new RegExp(`Path=${link.path}; HttpOnly; SameSite=Lax`));
    const cookie = sessionCookie(signIn);
    const forged = await world.server.fetch(`${link.path}/save`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: 'https://evil.example' },
      body: new URLSearchParams(details).toString(),
    });
    expect(forged.status).toBe(403);
    const withoutSession = await postForm(world.server, `${link.path}/save`, details);
    expect([withoutSession.status, withoutSession.headers.get('location')]).toEqual([303, link.path]);
    const saved = await postForm(world.server, `${link.path}/save`, details, cookie);
    expect(saved.headers.get('location')).toBe(REDIRECT_URL);
  });
});
