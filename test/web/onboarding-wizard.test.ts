// The hosted onboarding page in a real browser: a new user verifies an e-mail (through the outbox),
// chooses a password and gives business details; an existing user signs in; dead links get a page.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { ConnectedAccountDocument, UpdateConnectPlatformDocument } from '../generated/graphql.ts';
import { launchBrowser, screenshots, skipBrowserChecks } from '../support/browser.ts';
import { givenConnectPlatform, givenExpressAccount, givenOnboardedUser, REDIRECT_URL } from '../support/givens/connect.ts';
import type { OrganizationFixture } from '../support/givens/organizations.ts';
import { startTestServer, withKey, type TestServer } from '../support/server.ts';

const LOGO = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" fill="#3b3bd4"/></svg>')}`;

let server: TestServer;
let platform: OrganizationFixture;
let browser: Browser;
let page: Page;
const screenshot = screenshots('onboarding');

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer({ listen: true }), launchBrowser()]);
  platform = await givenConnectPlatform(server, 'Acme Platform');
  const entity = await server.prisma.invoicingEntity.findFirstOrThrow({ where: { tenantId: platform.tenantId } });
  await server.prisma.invoicingEntity.update({ where: { id: entity.id }, data: { legalName: 'Acme Payments Ltd', logoUrl: LOGO } });
  await server.request(UpdateConnectPlatformDocument, { input: { brandingInvoicingEntityId: entity.id } }, withKey(platform.apiKey));
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
beforeEach(async () => {
  page = await browser.newPage();
  // The platform's site is elsewhere; the browser only needs to arrive there.
  await page.route(`${new URL(REDIRECT_URL).origin}/**`, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<h1>Back on the platform</h1>' }),
  );
});
afterEach(() => page?.close());

async function accountStatus(accountId: string, owner = platform) {
  const response = await server.request(ConnectedAccountDocument, { id: accountId }, withKey(owner.apiKey));
  return response.data?.connectedAccount;
}

describe('the hosted onboarding page', () => {
  it('onboards a new user: e-mail verified through the outbox, password, business details, back to the platform', async () => {
    const { account, link } = await givenExpressAccount(server, platform, {
      email: 'new.merchant@shop.example',
      organizationName: 'New Shop',
      country: 'DE',
    });
    const response = await page.goto(link.url ?? expect.fail('no url'));
    expect(response?.status()).toBe(200);
    await expect.poll(() => page.locator('aside').innerText()).toContain('Acme Payments Ltd');
    expect(await page.getByAltText('Acme Payments Ltd logo').count()).toBe(1);
    expect(await page.locator('#sign-up-email').inputValue()).toBe('new.merchant@shop.example');
    await screenshot(page, '1-account');
    await page.setViewportSize({ width: 375, height: 740 });
    await screenshot(page, '1-account-phone');

    await page.getByRole('button', { name: 'Send me a verification link' }).click();
    await expect.poll(() => page.locator('h1').innerText()).toBe('Check your inbox');
    await screenshot(page, '2-check-inbox');

    // The worker delivers it on its own (woken by the sign-up): through the log, as no SMTP_URL is set.
    const sent = () => server.prisma.outboxEmail.findFirst({ where: { to: 'new.merchant@shop.example' } });
    await expect.poll(async () => (await sent())?.status).toBe('SENT');
    expect(server.logs()).toContain('e-mail (no SMTP_URL: logged instead of sent)');
    const outbox = await browser.newPage();
    await outbox.goto(`${server.url}/dev/outbox`);
    expect(await outbox.locator('article').first().innerText()).toContain('new.merchant@shop.example · SENT');
    await screenshot(outbox, '3-outbox');
    const verifyUrl = await outbox.locator('a[href*="/verify/"]').first().getAttribute('href');
    await outbox.close();

    await page.goto(verifyUrl ?? expect.fail('no verification link in the e-mail'));
    await expect.poll(() => page.locator('h1').innerText()).toBe('Choose a password');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Continue' }).click();
    expect(await page.getByLabel('Password').evaluate((input: HTMLInputElement) => input.validity.tooShort)).toBe(true);
    await skipBrowserChecks(page);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => page.locator('#password-error').innerText()).toBe('Password is not valid: 8 to 200 characters.');
    await screenshot(page, '3b-short-password');
    await page.getByLabel('Password').fill('a long enough password');
    await page.getByRole('button', { name: 'Continue' }).click();

    await expect.poll(() => page.locator('h1').innerText()).toBe('Your business');
    expect(await page.getByLabel('Organization name').inputValue()).toBe('New Shop');
    expect(await page.getByLabel(/^Country/).inputValue()).toBe('DE');
    expect(await page.locator('#country option:checked').innerText()).toBe('Germany');
    await page.getByLabel('Legal name').fill('New Shop GmbH');
    await page.getByLabel('VAT number').fill('DE999999999');
    await screenshot(page, '4-business');
    await page.getByRole('button', { name: 'Finish' }).click();

    await page.waitForURL(REDIRECT_URL);
    await screenshot(page, '5-back-on-platform');
    expect(await accountStatus(account.id)).toMatchObject({ status: 'ACTIVE', connectedOrganization: { name: 'New Shop' } });
    const user = await server.prisma.user.findUniqueOrThrow({ where: { email: 'new.merchant@shop.example' } });
    expect(user.passwordHash).toMatch(/^scrypt\$/);

    // The link is spent: the page says so.
    const again = await page.goto(link.url ?? '');
    expect(again?.status()).toBe(410);
    expect(await page.locator('main').innerText()).toContain('Ask Acme Payments Ltd to send you a new onboarding link.');
  });

  it('lets an existing user sign in instead, and refuses a wrong password', async () => {
    const existing = await givenOnboardedUser(server, platform);
    const { account, link } = await givenExpressAccount(server, platform, { organizationName: 'Second Shop' });

    await page.goto(link.url ?? '');
    await page.locator('#sign-in-email').fill(existing.email);
    await page.locator('#sign-in-password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('[role=alert]').innerText()).toContain('not right');
    await page.locator('#sign-in-password').fill(existing.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('h1').innerText()).toBe('Your business');
    await page.getByRole('button', { name: 'Finish' }).click();
    await page.waitForURL(REDIRECT_URL);
    expect(await accountStatus(account.id)).toMatchObject({ status: 'ACTIVE', connectedOrganization: { name: 'Second Shop' } });
  });

  it('asks for what the platform requires next to its field, goes to the link’s returnUrl, and sends a spent link to its refreshUrl', async () => {
    const strict = await givenConnectPlatform(server, 'Strict Platform');
    const required = await server.request(
      UpdateConnectPlatformDocument,
      { input: { requiredBusinessDetails: ['VAT_NUMBER', 'PHONE'] } },
      withKey(strict.apiKey),
    );
    expect(required.data?.updateConnectPlatform.__typename).toBe('UpdateConnectPlatformPayload');
    const existing = await givenOnboardedUser(server, platform);
    const returnUrl = 'https://platform.example/welcome?account=new';
    const refreshUrl = 'https://platform.example/onboarding/new-link';
    const { account, link } = await givenExpressAccount(server, strict, { organizationName: 'Strict Shop', returnUrl, refreshUrl });

    await page.goto(link.url ?? expect.fail('no url'));
    await page.locator('#sign-in-email').fill(existing.email);
    await page.locator('#sign-in-password').fill(existing.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('h1').innerText()).toBe('Your business');
    expect(await page.getByLabel(/^Phone/).getAttribute('required')).toBe('');
    await page.getByLabel('VAT number').fill('DE999999999');
    await skipBrowserChecks(page);
    await page.getByRole('button', { name: 'Finish' }).click();
    await expect.poll(() => page.locator('#phone-error').innerText()).toContain('Phone is required');
    expect(await page.locator('.error-summary a').innerText()).toContain('Phone is required');
    expect(await page.getByLabel('VAT number').inputValue()).toBe('DE999999999');
    await screenshot(page, '7-required-phone');

    await page.getByLabel(/^Phone/).fill('+4930123456');
    await page.getByRole('button', { name: 'Finish' }).click();
    await page.waitForURL(returnUrl);
    expect(await accountStatus(account.id, strict)).toMatchObject({ status: 'ACTIVE' });

    // Opened again, from the platform's site (Playwright routes a redirect's target only for navigations the page starts).
    await page.setContent(`<a href="${link.url}">Continue onboarding</a>`);
    await page.getByRole('link').click();
    await page.waitForURL(refreshUrl);
  });

  it('tells the user to ask the platform for a new link when the link is unknown or expired', async () => {
    const unknown = await page.goto(`${server.url}/onboarding/${'x'.repeat(44)}`);
    expect(unknown?.status()).toBe(404);
    expect(await page.locator('h1').innerText()).toBe('This link is not valid');

    const { link } = await givenExpressAccount(server, platform);
    server.clock.advance(8 * 24 * 60 * 60 * 1000);
    const expired = await page.goto(link.url ?? '');
    expect(expired?.status()).toBe(410);
    expect(await page.locator('h1').innerText()).toBe('This link has expired');
    expect(await page.locator('main').innerText()).toContain('Ask Acme Payments Ltd to send you a new onboarding link.');
    await screenshot(page, '6-expired-link');
  });
});
