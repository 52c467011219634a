// Attacks on what issue 15 added after onboarding: the hosted account update page (a link's token,
// then a member's password), updateConnectedAccount, statusReason and the required business
// details. Each is a regression test now: the four that got through at first (a removed member's view,
// a malformed cookie, unbounded URLs, deep metadata) say so where they are, and are fixed.
import { describe, expect } from 'vitest';
import type { OrganizationFixture } from '../../support/givens/organizations.ts';
import { platformWorld } from '../../support/world.ts';
import {
  AccountRequirementsDocument,
  CompleteOnboardingDocument,
  CreateAccountUpdateLinkDocument,
  CreateSubAccountDocument,
  EnableConnectPlatformDocument,
  EventsDocument,
  RevokeConnectedAccountDocument,
  SuspendConnectedAccountDocument,
  TypedDocumentString,
  UpdateConnectedAccountDocument,
  UpdateConnectPlatformDocument,
  type BusinessDetail,
} from '../../generated/graphql.ts';
import {
  givenUpdateLink,
  postForm,
  sessionCookie,
  signInToUpdatePage,
  UPDATE_REFRESH_URL,
  UPDATE_RETURN_URL,
} from '../../support/givens/account-updates.ts';
import { givenOnboardedUser, onboardingForm, REDIRECT_URL } from '../../support/givens/connect.ts';
import { givenOAuthPlatform, givenOwnedOrganization, givenStandardAccount, OWNER_PASSWORD } from '../../support/givens/oauth.ts';
import { withKey } from '../../support/server.ts';
import { givenPurpose, subAccountInput } from '../../support/givens/sub-accounts.ts';

const MINUTE = 60 * 1000;

const { test, world } = platformWorld({}, async (seed) => {
  const platform = await seed.connectPlatform('Attacked Platform');
  const otherPlatform = await seed.connectPlatform('Neighbour Platform');
  return { platform, otherPlatform };
});

const details = {
  legalName: 'Merchant Updated GmbH',
  addressLine1: 'Neue Straße 2',
  city: 'Hamburg',
  postalCode: '20095',
  vatNumber: 'DE111111111',
  phone: '+4940123456',
};
const title = async (response: Response) => /<h1>([^<]*)<\/h1>/.exec(await response.text())?.[1];
const defaultEntity = (tenantId: string) => world.server.prisma.invoicingEntity.findFirstOrThrow({ where: { tenantId, isDefault: true } });
const page = (path: string, cookie = '') => world.server.fetch(path, { headers: { cookie } });

async function requireDetails(requiredBusinessDetails: BusinessDetail[]) {
  const response = await world.server.request(
    UpdateConnectPlatformDocument,
    { input: { requiredBusinessDetails } },
    withKey(world.platform.apiKey),
  );
  expect(response.data?.updateConnectPlatform.__typename, JSON.stringify(response)).toBe('UpdateConnectPlatformPayload');
}

async function updatedEvents(objectId: string) {
  const response = await world.server.request(
    EventsDocument,
    { first: 10, filter: { objectId, type: ['connected_account.updated'] } },
    withKey(world.platform.apiKey),
  );
  return response.data?.events.nodes ?? expect.fail(JSON.stringify(response));
}

/** An onboarded user and an update link for their account, with the platform's destinations. */
async function givenLinkedUser(owner: OrganizationFixture = world.platform) {
  const user = await givenOnboardedUser(world.server, owner);
  const link = await givenUpdateLink(world.server, owner, user.accountId, { returnUrl: UPDATE_RETURN_URL, refreshUrl: UPDATE_REFRESH_URL });
  return { user, link };
}

describe('who may use an update link', () => {
  test('refuses a member of another connected organization, and the platform’s own owner, with the one refusal and no session', async () => {
    const { user, link } = await givenLinkedUser();
    const neighbour = await world.otherPlatform.onboardedUser();
    const sibling = await world.platform.onboardedUser();
    // A platform whose owner can sign in: its owner is a member of the platform, not of the connected organization.
    const owned = await givenOwnedOrganization(world.server);
    const enabled = await world.server.request(
      EnableConnectPlatformDocument,
      { input: { redirectUrl: REDIRECT_URL } },
      withKey(owned.apiKey),
    );
    expect(enabled.data?.enableConnectPlatform.__typename).toBe('EnableConnectPlatformPayload');
    const ownedPlatform = { organizationId: owned.organizationId, tenantId: owned.tenantId, apiKeyId: '', apiKey: owned.apiKey };
    const { link: ownersLink } = await givenLinkedUser(ownedPlatform);

    for (const [path, who] of [
      [link.path, neighbour],
      [link.path, sibling],
      [ownersLink.path, { email: owned.email, password: OWNER_PASSWORD }],
    ] as const) {
      const refused = await postForm(world.server, `${path}/sign-in`, { email: who.email, password: who.password });
      expect([refused.status, refused.headers.get('set-cookie')]).toEqual([401, null]);
      expect(await refused.text()).toContain('The e-mail or the password is not right.');
    }
    expect((await defaultEntity(user.tenantId)).legalName).not.toBe(details.legalName);
  });

  test('never lets a session of one link act on another link, whatever cookie name carries it', async () => {
    const a = await givenLinkedUser();
    const b = await givenLinkedUser();
    const cookieA = await signInToUpdatePage(world.server, a.link.path, a.user);
    const before = await defaultEntity(b.user.tenantId);

    expect(await title(await page(b.link.path, cookieA))).toBe('Sign in');
    const swapped = await postForm(world.server, `${b.link.path}/save`, details, cookieA);
    expect([swapped.status, swapped.headers.get('location')]).toEqual([303, b.link.path]);

    // An onboarding page's session of the same user, presented as an update page's cookie.
    const pending = await world.platform.expressAccount();
    const onboardingSignIn = await postForm(world.server, `/onboarding/${pending.token}/sign-in`, {
      email: b.user.email,
      password: b.user.password,
    });
    expect(onboardingSignIn.status).toBe(303);
    const onboardingSecret = sessionCookie(onboardingSignIn).split('=')[1] ?? expect.fail('no onboarding session');
    const asUpdateCookie = `connect_account_update=${onboardingSecret}`;
    expect(await title(await page(b.link.path, asUpdateCookie))).toBe('Sign in');
    expect((await postForm(world.server, `${b.link.path}/save`, details, asUpdateCookie)).headers.get('location')).toBe(b.link.path);

    // And the reverse: the update page's session on the onboarding page.
    const updateSecret = cookieA.split('=')[1] ?? '';
    expect(await title(await page(`/onboarding/${pending.token}`, `connect_onboarding=${updateSecret}`))).toBe('Welcome');
    expect(await defaultEntity(b.user.tenantId)).toEqual(before);
  });

  test('saves once: a replay and a concurrent second submit change nothing more, one event', async () => {
    const { user, link } = await givenLinkedUser();
    const cookie = await signInToUpdatePage(world.server, link.path, user);
    const [first, second] = await Promise.all([
      postForm(world.server, `${link.path}/save`, { ...details, legalName: 'First Submit GmbH' }, cookie),
      postForm(world.server, `${link.path}/save`, { ...details, legalName: 'Second Submit GmbH' }, cookie),
    ]);
    const locations = [first.headers.get('location'), second.headers.get('location')].sort();
    expect(locations).toEqual([UPDATE_REFRESH_URL, UPDATE_RETURN_URL].sort());
    const winner = first.headers.get('location') === UPDATE_RETURN_URL ? 'First Submit GmbH' : 'Second Submit GmbH';
    expect((await defaultEntity(user.tenantId)).legalName).toBe(winner);
    expect(await updatedEvents(user.accountId)).toHaveLength(1);

    const replay = await postForm(world.server, `${link.path}/save`, { ...details, legalName: 'Replayed GmbH' }, cookie);
    expect(replay.headers.get('location')).toBe(UPDATE_REFRESH_URL);
    expect((await defaultEntity(user.tenantId)).legalName).toBe(winner);
  });

  test('refuses a save after the account was suspended or revoked, or the link expired, since the sign-in', async () => {
    const cases = [
      [
        'suspended',
        async (accountId: string) =>
          void (await world.server.request(SuspendConnectedAccountDocument, { input: { id: accountId } }, withKey(world.platform.apiKey))),
      ],
      [
        'revoked',
        async (accountId: string) =>
          void (await world.server.request(RevokeConnectedAccountDocument, { input: { id: accountId } }, withKey(world.platform.apiKey))),
      ],
      ['expired', async () => world.server.clock.advance(15 * MINUTE)],
    ] as const;
    for (const [name, change] of cases) {
      const { user, link } = await givenLinkedUser();
      const cookie = await signInToUpdatePage(world.server, link.path, user);
      const before = await defaultEntity(user.tenantId);
      await change(user.accountId);
      const saved = await postForm(world.server, `${link.path}/save`, details, cookie);
      expect([saved.status, saved.headers.get('location')], name).toEqual([303, UPDATE_REFRESH_URL]);
      expect(await defaultEntity(user.tenantId), name).toEqual(before);
      expect(await updatedEvents(user.accountId), name).toEqual([]);
    }
  });

  test('stops showing the details to a user removed from the organization after signing in', async () => {
    const { user, link } = await givenLinkedUser();
    const cookie = await signInToUpdatePage(world.server, link.path, user);
    const before = await defaultEntity(user.tenantId);
    await world.server.prisma.organizationMember.deleteMany({ where: { organizationId: user.organizationId } });

    const saved = await postForm(world.server, `${link.path}/save`, details, cookie);
    expect(saved.status).not.toBe(303);
    expect(await defaultEntity(user.tenantId)).toEqual(before);
    // Found by this review: the GET showed the details to a removed member until the link expired;
    // the page now checks the membership on every view (account-updates/hosted.ts isMemberNow).
    const shown = await page(link.path, cookie);
    expect(await title(shown)).toBe('Sign in');
  });
});

describe('what the hosted page gives away', () => {
  test('never writes the token, the e-mail or the password in a log line, on any path the page answers', async () => {
    const { user, link } = await givenLinkedUser();
    await postForm(world.server, `${link.path}/sign-in`, { email: user.email, password: 'wrong password 1' });
    const cookie = await signInToUpdatePage(world.server, link.path, user);
    await page(link.path, cookie);
    await world.server.fetch(link.path, { method: 'PUT' });
    await page(`${link.path}/`);
    await page(`${link.path}/unknown`);
    await postForm(world.server, `${link.path}/save`, details, cookie);
    await page(link.path);
    const logs = world.server.logs();
    expect(logs).toContain('"path":"/account-update/[token]"');
    for (const secret of [link.token, user.password, 'wrong password 1', cookie.split('=')[1] ?? '']) expect(logs).not.toContain(secret);
  });

  test('marks every answer of the page no-store and without a referrer', async () => {
    const { user, link } = await givenLinkedUser();
    const answers = [await page(link.path)];
    const signIn = await postForm(world.server, `${link.path}/sign-in`, user);
    const cookie = sessionCookie(signIn);
    answers.push(
      signIn,
      await page(link.path, cookie),
      await postForm(world.server, `${link.path}/save`, { ...details, legalName: '' }, cookie),
    );
    answers.push(await postForm(world.server, `${link.path}/save`, details, cookie), await page(link.path));
    // A link replaced by a newer one, without a refreshUrl: the page says what to do.
    const other = await world.platform.onboardedUser();
    const replaced = await world.platform.updateLink(other.accountId);
    await world.platform.updateLink(other.accountId);
    answers.push(await page(replaced.path), await page(`/account-update/${'0'.repeat(44)}`));
    for (const answer of answers) {
      if (answer.status !== 303)
        expect([answer.headers.get('x-frame-options'), answer.headers.get('content-security-policy')]).toEqual([
          'DENY',
          expect.stringContaining("frame-ancestors 'none'"),
        ]);
      expect(answer.headers.get('cache-control'), `${answer.status}`).toBe('no-store');
      expect(['same-origin', 'no-referrer'], `${answer.status}`).toContain(answer.headers.get('referrer-policy'));
    }
    expect(answers.map((answer) => answer.status)).toEqual([200, 303, 200, 400, 303, 303, 404, 404]);
  });

  test('escapes what a user types back into the form', async () => {
    const { user, link } = await givenLinkedUser();
    const cookie = await signInToUpdatePage(world.server, link.path, user);
    const refused = await postForm(
      world.server,
      `${link.path}/save`,
      { ...details, legalName: '"><script>alert(1)</script>', phone: 'x"><img src=x>' },
      cookie,
    );
    expect(refused.status).toBe(400);
    const text = await refused.text();
    expect(text).not.toContain('<script>alert(1)');
    expect(text).not.toContain('<img src=x>');
    expect(text).toContain('&quot;&gt;&lt;script&gt;');
  });

  test('answers a malformed session cookie with the sign-in page, not a failure', async () => {
    const { link } = await givenLinkedUser();
    // Found by this review: a cookie that did not decode was a 500 with a stack in the log; cookieOf
    // now treats it as no cookie.
    const response = await page(link.path, 'connect_account_update=%E0%A4%A');
    expect(response.status).toBe(200);
    expect(world.server.logs()).not.toMatch(/"level":"error"[^\n]*page failed/);
    expect(world.server.logs()).not.toContain(link.token);
  });
});

describe('forms from elsewhere, and the page’s limits', () => {
  test('refuses a sign-in or a save posted from another origin, "null" included, and sets no cookie', async () => {
    const { user, link } = await givenLinkedUser();
    const cookie = await signInToUpdatePage(world.server, link.path, user);
    for (const origin of ['null', 'http://connect.test.evil.example', 'https://connect.test']) {
      const post = (path: string, fields: Record<string, string>) =>
        world.server.fetch(path, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin },
          body: new URLSearchParams(fields).toString(),
        });
      const signIn = await post(`${link.path}/sign-in`, user);
      expect([signIn.status, signIn.headers.get('set-cookie')], origin).toEqual([403, null]);
      expect((await post(`${link.path}/save`, details)).status, origin).toBe(403);
    }
    expect((await defaultEntity(user.tenantId)).legalName).not.toBe(details.legalName);
  });

  test('caps a form’s body and survives a form of thousands of fields', async () => {
    const { user, link } = await givenLinkedUser();
    const cookie = await signInToUpdatePage(world.server, link.path, user);
    const huge = await world.server.fetch(`${link.path}/save`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: `legalName=${'a'.repeat(2 * 1024 * 1024)}`,
    });
    expect(huge.status).toBe(413);
    const hugePassword = await postForm(world.server, `${link.path}/sign-in`, { email: user.email, password: 'p'.repeat(60 * 1024) });
    expect([hugePassword.status, hugePassword.headers.get('set-cookie')]).toEqual([401, null]);
    const many = `${'x=1&'.repeat(15_000)}legalName=Many`;
    const started = performance.now();
    const crowded = await world.server.fetch(`${link.path}/save`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: many,
    });
    expect(crowded.status).toBe(303);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  test('counts failed sign-ins per e-mail across links: a fresh link does not reset a guesser', async () => {
    const { user, link } = await givenLinkedUser();
    const limit = world.server.config.signInFailures.perAccount;
    const statuses: number[] = [];
    for (let attempt = 0; attempt < limit; attempt += 1) {
      // A new link every few guesses, so the per-link counter never fills.
      const path = attempt % 3 === 0 ? (await world.platform.updateLink(user.accountId)).path : link.path;
      statuses.push((await postForm(world.server, `${path}/sign-in`, { email: user.email, password: `guess ${attempt}` })).status);
      link.path = path;
    }
    expect(statuses.every((status) => status === 401 || status === 404 || status === 303)).toBe(true);
    const fresh = await world.platform.updateLink(user.accountId);
    const right = await postForm(world.server, `${fresh.path}/sign-in`, user);
    expect(right.status).toBe(429);
    expect(right.headers.get('set-cookie')).toBeNull();
  });
});

describe('guessing from one address', () => {
  test('counts failed sign-ins per client across links and e-mails', async () => {
    const client = { req: { socket: { remoteAddress: '203.0.113.77' } } };
    const post = (path: string, fields: Record<string, string>) =>
      world.server.fetch(
        `${path}/sign-in`,
        { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() },
        client,
      );
    const { perClient, perLink } = world.server.config.signInFailures;
    let guesses = 0;
    while (guesses < perClient) {
      const { link } = await givenLinkedUser();
      for (let onLink = 0; onLink < perLink - 1 && guesses < perClient; onLink += 1, guesses += 1) {
        expect((await post(link.path, { email: `sprayed${guesses}@merchant.example`, password: 'Summer2026!' })).status).toBe(401);
      }
    }
    const { user, link } = await givenLinkedUser();
    const refused = await post(link.path, user);
    expect([refused.status, refused.headers.get('set-cookie')]).toEqual([429, null]);
    // Another address is not held back by this one's guesses.
    expect((await postForm(world.server, `${link.path}/sign-in`, user)).status).toBe(303);
  });
});

describe('the platform’s side', () => {
  test('keeps update links, updates and suspensions to the platform’s own accounts, whatever key asks', async () => {
    const { user } = await givenLinkedUser();
    const purpose = await givenPurpose(world.server, world.platform, 'Attack screening');
    const created = await world.server.request(
      CreateSubAccountDocument,
      { input: subAccountInput({ permissiblePurposeIds: [purpose] }) },
      withKey(world.platform.apiKey),
    );
    const subKey =
      created.data?.createSubAccount.__typename === 'CreateSubAccountPayload' ? created.data.createSubAccount.apiKey?.secret : null;
    // Another platform: NOT_FOUND, as for an id that does not exist. A sub-account's key: FORBIDDEN (only its platform may).
    const refusal = (response: { data?: unknown; errors?: { extensions?: { code?: string } }[] }, field: string) =>
      (response.data as Record<string, { code?: string } | undefined> | null | undefined)?.[field]?.code ??
      response.errors?.[0]?.extensions?.code;
    for (const [key, expected] of [
      [world.otherPlatform.apiKey, 'NOT_FOUND'],
      [subKey ?? expect.fail(JSON.stringify(created)), 'FORBIDDEN'],
    ] as const) {
      const link = await world.server.request(
        CreateAccountUpdateLinkDocument,
        { input: { connectedAccountId: user.accountId } },
        withKey(key),
      );
      expect(refusal(link, 'createAccountUpdateLink'), JSON.stringify(link)).toBe(expected);
      const update = await world.server.request(
        UpdateConnectedAccountDocument,
        { input: { id: user.accountId, metadata: { owned: 'yes' } } },
        withKey(key),
      );
      expect(refusal(update, 'updateConnectedAccount'), JSON.stringify(update)).toBe(expected);
      const suspend = await world.server.request(
        SuspendConnectedAccountDocument,
        { input: { id: user.accountId, reason: 'FRAUD' } },
        withKey(key),
      );
      expect(refusal(suspend, 'suspendConnectedAccount'), JSON.stringify(suspend)).toBe(expected);
    }
    expect(await world.server.prisma.onboardingLink.count({ where: { kind: 'ACCOUNT_UPDATE', connectedAccountId: user.accountId } })).toBe(
      1,
    );
    const row = await world.server.prisma.connectedAccount.findUniqueOrThrow({ where: { id: user.accountId } });
    expect([row.status, row.statusReason, row.metadata]).toEqual(['ACTIVE', null, null]);
  });

  test('leaves one usable update link when two are made at once', async () => {
    const { user } = await givenLinkedUser();
    const made = await Promise.all(
      [1, 2, 3].map(() =>
        world.server.request(
          CreateAccountUpdateLinkDocument,
          { input: { connectedAccountId: user.accountId } },
          withKey(world.platform.apiKey),
        ),
      ),
    );
    expect(made.map((response) => response.data?.createAccountUpdateLink?.__typename)).toEqual(
      Array(3).fill('CreateAccountUpdateLinkPayload'),
    );
    const usable = await world.server.prisma.onboardingLink.count({
      where: { connectedAccountId: user.accountId, kind: 'ACCOUNT_UPDATE', usedAt: null, invalidatedAt: null },
    });
    expect(usable).toBe(1);
  });

  test('refuses return and refresh URLs a browser should not follow, or too long to be one', async () => {
    const { user } = await givenLinkedUser();
    const attempt = (returnUrl: string) =>
      world.server.request(
        CreateAccountUpdateLinkDocument,
        { input: { connectedAccountId: user.accountId, returnUrl } },
        withKey(world.platform.apiKey),
      );
    for (const url of [
      'data:text/html,<script>alert(1)</script>',
      'javascript:alert(1)//https://x',
      '//evil.example/x',
      'vbscript:x',
      'file:///etc/passwd',
    ]) {
      const response = await attempt(url);
      expect(response.data?.createAccountUpdateLink?.__typename ?? response.errors?.[0]?.extensions?.code, url).not.toBe(
        'CreateAccountUpdateLinkPayload',
      );
    }
    // A CR LF in the URL never reaches a Location header.
    const crlf = await attempt('https://platform.example/a\r\nSet-Cookie: x=1');
    if (crlf.data?.createAccountUpdateLink?.__typename === 'CreateAccountUpdateLinkPayload') {
      const { path } = await world.platform.updateLink(user.accountId, {
        returnUrl: 'https://platform.example/a\r\nSet-Cookie: x=1',
      });
      const cookie = await signInToUpdatePage(world.server, path, user);
      const saved = await postForm(world.server, `${path}/save`, details, cookie);
      expect(saved.headers.get('location')).not.toMatch(/[\r\n]/);
      expect(saved.headers.get('set-cookie')).toBeNull();
    }
    // Found by this review: a 500 KB returnUrl was stored and sent back as a Location header; webUrl
    // (core/validation.ts) now caps every browser-bound URL at 2048 characters.
    const long = await attempt(`https://platform.example/${'a'.repeat(500_000)}`);
    expect(long.data?.createAccountUpdateLink).toMatchObject({ code: 'VALIDATION', fields: ['input.returnUrl'] });
  });

  test('bounds metadata however it is nested, and platformCustomerId’s length, without a failure', async () => {
    const { user } = await givenLinkedUser();
    const logStart = world.server.logs().length;
    const update = (input: Record<string, unknown>) =>
      world.server.request(UpdateConnectedAccountDocument, { input: { id: user.accountId, ...input } }, withKey(world.platform.apiKey));
    let deep: Record<string, unknown> = { leaf: 'x' };
    for (let level = 0; level < 1_500; level += 1) deep = { a: deep };
    const deepAnswer = await update({ metadata: deep });
    expect(deepAnswer.status).toBe(200);
    expect(deepAnswer.errors).toBeUndefined();
    const wide = Object.fromEntries(
      Array.from({ length: 10 }, (_, index) => [
        `k${index}`,
        Object.fromEntries(Array.from({ length: 500 }, (__, inner) => [`n${inner}`, 1])),
      ]),
    );
    expect((await update({ metadata: wide })).data?.updateConnectedAccount).toMatchObject({
      code: 'VALIDATION',
      fields: ['input.metadata'],
    });
    expect((await update({ platformCustomerId: 'c'.repeat(256) })).data?.updateConnectedAccount).toMatchObject({
      code: 'VALIDATION',
      fields: ['input.platformCustomerId'],
    });
    expect((await update({ platformCustomerId: 'cus\u202Egnp.exe' })).data?.updateConnectedAccount).toMatchObject({ code: 'VALIDATION' });
    expect(world.server.logs().slice(logStart)).not.toMatch(/"level":"error"/);

    // Found by this review: metadata nested 400,000 deep overflowed JSON.stringify's stack (a 500);
    // validateMetadata now walks it without recursion and refuses more than 20 levels (VALIDATION).
    const levels = 400_000;
    const query =
      'mutation($input: UpdateConnectedAccountInput!) { updateConnectedAccount(input: $input) { __typename ... on Error { code } } }';
    const body = `{"query":${JSON.stringify(query)},"variables":{"input":{"id":"${user.accountId}","metadata":{"a":${'['.repeat(levels)}${']'.repeat(levels)}}}}}`;
    const bomb = await world.server.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...withKey(world.platform.apiKey) },
      body,
    });
    const answer = (await bomb.json()) as {
      data?: { updateConnectedAccount?: { code?: string } };
      errors?: { extensions?: { code?: string } }[];
    };
    expect(answer.errors?.[0]?.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
    expect(answer.data?.updateConnectedAccount?.code).toBe('VALIDATION');
  });

  test('takes no reason on reactivation, and a wrong transition keeps the reason it had', async () => {
    const { user } = await givenLinkedUser();
    const suspend = (reason: string) =>
      world.server.request(
        SuspendConnectedAccountDocument,
        { input: { id: user.accountId, reason: reason as 'FRAUD' } },
        withKey(world.platform.apiKey),
      );
    expect((await suspend('FRAUD')).data?.suspendConnectedAccount).toMatchObject({
      connectedAccount: { status: 'SUSPENDED', statusReason: 'FRAUD' },
    });
    expect((await suspend('OTHER')).data?.suspendConnectedAccount).toMatchObject({ code: 'INVALID_STATE' });
    const reactivateWithReason = new TypedDocumentString<unknown, unknown>(
      `mutation { reactivateConnectedAccount(input: { id: "${user.accountId}", reason: OTHER }) { __typename } }`,
    );
    const refused = await world.server.request(reactivateWithReason, {}, withKey(world.platform.apiKey));
    expect(refused.errors?.[0]?.message).toMatch(/reason/);
    const row = await world.server.prisma.connectedAccount.findUniqueOrThrow({ where: { id: user.accountId } });
    expect([row.status, row.statusReason]).toEqual(['SUSPENDED', 'FRAUD']);
  });
});

describe('required details', () => {
  test('are not satisfied by whitespace, through GraphQL onboarding or the update page', async () => {
    const { user, link } = await givenLinkedUser();
    await requireDetails(['VAT_NUMBER', 'PHONE']);
    try {
      const { token } = await world.platform.expressAccount();
      for (const blank of ['   ', '\t\n', '\u00A0\u2003']) {
        const completed = await world.server.request(CompleteOnboardingDocument, {
          input: onboardingForm(token, { email: user.email, password: user.password, vatNumber: blank, phone: '+4930123456' }),
        });
        expect(completed.data?.completeOnboarding, JSON.stringify(blank)).toMatchObject({ code: 'VALIDATION' });
      }
      const cookie = await signInToUpdatePage(world.server, link.path, user);
      for (const cleared of [{ phone: '' }, { phone: ' \u00A0 ' }, { vatNumber: '\u2003' }]) {
        const saved = await postForm(world.server, `${link.path}/save`, { ...details, ...cleared }, cookie);
        expect(saved.status, JSON.stringify(cleared)).toBe(400);
      }
      expect((await defaultEntity(user.tenantId)).legalName).not.toBe(details.legalName);
    } finally {
      await requireDetails([]);
    }
  });
});

describe('requirements across tenants', () => {
  test("never reads a tenant of another organization, even one a STANDARD account's grant were made to name", async () => {
    const oauthPlatform = await givenOAuthPlatform(world.server, 'Grant Platform');
    const required = await world.server.request(
      UpdateConnectPlatformDocument,
      { input: { requiredBusinessDetails: ['VAT_NUMBER', 'PHONE'] } },
      withKey(oauthPlatform.apiKey),
    );
    expect(required.data?.updateConnectPlatform.__typename).toBe('UpdateConnectPlatformPayload');
    const owner = await givenOwnedOrganization(world.server);
    const standard = await givenStandardAccount(world.server, oauthPlatform, owner, { tenantIds: [owner.sandboxTenantId] });
    // A complete entity in a tenant of a stranger, slipped into the grant (as a bug elsewhere might).
    const stranger = await world.platform.onboardedUser();
    await world.server.prisma.invoicingEntity.updateMany({
      where: { tenantId: stranger.tenantId },
      data: { vatNumber: 'DE999999999', phone: '+4930999999' },
    });
    await world.server.prisma.connectedAccount.update({
      where: { id: standard.accountId },
      data: { grantedTenantIds: [stranger.tenantId] },
    });
    const read = await world.server.request(AccountRequirementsDocument, { id: standard.accountId }, withKey(oauthPlatform.apiKey));
    expect(read.data?.connectedAccount?.requirements.currentlyDue).toEqual(['VAT_NUMBER', 'PHONE']);
    expect(JSON.stringify(read)).not.toContain('DE999999999');
  });
});
