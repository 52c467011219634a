// The hosted account update page in a real browser: the connected organization's user opens the
// platform's link, signs in (a wrong password first), edits the business details, is told about a
// detail the platform requires, saves and lands on the link's returnUrl; a spent or expired link
// lands on its refreshUrl, or gets a page saying what to do.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UpdateConnectPlatformDocument, type UpdateConnectPlatformInput } from '../generated/graphql.ts';
import { givenUpdateLink } from '../support/givens/account-updates.ts';
import { launchBrowser, screenshots, skipBrowserChecks } from '../support/browser.ts';
import { givenConnectPlatform, givenOnboardedUser } from '../support/givens/connect.ts';
import type { OrganizationFixture } from '../support/givens/organizations.ts';
import { startTestServer, withKey, type TestServer } from '../support/server.ts';

const PLATFORM_SITE = 'https://platform.example';
const RETURN_URL = `${PLATFORM_SITE}/settings/business?updated=1`;
const REFRESH_URL = `${PLATFORM_SITE}/settings/business/new-link`;

let server: TestServer;
let platform: OrganizationFixture;
let browser: Browser;
let page: Page;
const screenshot = screenshots('account-update');

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer({ listen: true }), launchBrowser()]);
  platform = await givenConnectPlatform(server, 'Acme Platform');
  const entity = await server.prisma.invoicingEntity.findFirstOrThrow({ where: { tenantId: platform.tenantId } });
  await server.prisma.invoicingEntity.update({ where: { id: entity.id }, data: { legalName: 'Acme Payments Ltd' } });
  await updatePlatform({ brandingInvoicingEntityId: entity.id });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
beforeEach(async () => {
  page = await browser.newPage();
  // The platform's site is elsewhere; the browser only needs to arrive there.
  await page.route(`${PLATFORM_SITE}/**`, (route) => route.fulfill({ contentType: 'text/html', body: '<h1>Back on the platform</h1>' }));
});
afterEach(async () => {
  await page?.close();
  await updatePlatform({ requiredBusinessDetails: [] });
});

async function updatePlatform(input: UpdateConnectPlatformInput) {
  const settings = await server.request(UpdateConnectPlatformDocument, { input }, withKey(platform.apiKey));
  expect(settings.data?.updateConnectPlatform.__typename, JSON.stringify(settings)).toBe('UpdateConnectPlatformPayload');
}

/**
 * Opens a link the way a user does, from the platform's site (a click: Playwright routes the target
 * of a redirect only for navigations the page starts, not for page.goto's).
 */
async function openFromPlatform(url: string) {
  await page.setContent(`<a href="${url}">Update your business details</a>`);
  await page.getByRole('link').click();
  await page.waitForLoadState();
}

const heading = () => page.locator('h1').innerText();

describe('the hosted account update page', () => {
  it('signs the user in, shows the details, refuses a required one left blank, saves, and returns to the platform', async () => {
    // Onboarded before the platform required a phone: the phone is now due.
    const user = await givenOnboardedUser(server, platform);
    await updatePlatform({ requiredBusinessDetails: ['LEGAL_NAME', 'PHONE'] });
    const link = await givenUpdateLink(server, platform, user.accountId, { returnUrl: RETURN_URL, refreshUrl: REFRESH_URL });

    await openFromPlatform(link.url);
    await expect.poll(heading).toBe('Sign in');
    expect(await page.locator('aside').innerText()).toContain('Acme Payments Ltd');
    await screenshot(page, '1-sign-in');

    await page.getByLabel('E-mail').fill(user.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('[role=alert]').innerText()).toBe('The e-mail or the password is not right.');
    await screenshot(page, '2-wrong-password');
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await expect.poll(heading).toBe('Your business details');
    expect(await page.getByLabel('Legal name').inputValue()).toBe(`Merchant of ${user.email}`);
    expect(await page.getByLabel(/^Phone/).getAttribute('required')).toBe('');
    await screenshot(page, '3-details');

    await page.getByLabel('Legal name').fill('Merchant Renamed GmbH');
    await page.getByLabel('Address (optional)', { exact: true }).fill('Neue Straße 2');
    await page.getByLabel('City').fill('Hamburg');
    await page.getByLabel('Postal code').fill('20095');
    await page.getByLabel('VAT number').fill('DE111111111');
    // The browser asks for the phone before sending anything.
    await page.getByRole('button', { name: 'Save' }).click();
    expect(await page.getByLabel(/^Phone/).evaluate((input: HTMLInputElement) => input.validity.valueMissing)).toBe(true);
    expect(await heading()).toBe('Your business details');
    // Sent anyway (a browser that does not check): the server says the same, next to the field and at the top.
    await skipBrowserChecks(page);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => page.locator('#phone-error').innerText())
      .toBe('Phone is required: use the international form, e.g. +4930123456.');
    expect(await page.locator('.error-summary').innerText()).toContain('Please correct one field');
    expect(await page.getByLabel(/^Phone/).getAttribute('aria-invalid')).toBe('true');
    // What was typed is still there.
    expect(await page.getByLabel('City').inputValue()).toBe('Hamburg');
    await screenshot(page, '4-required-phone');

    await page.getByLabel(/^Phone/).fill('+4940123456');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(RETURN_URL);
    await screenshot(page, '5-back-on-platform');
    const entity = await server.prisma.invoicingEntity.findFirstOrThrow({ where: { tenantId: user.tenantId, isDefault: true } });
    expect(entity).toMatchObject({
      legalName: 'Merchant Renamed GmbH',
      addressLine1: 'Neue Straße 2',
      city: 'Hamburg',
      postalCode: '20095',
      vatNumber: 'DE111111111',
      phone: '+4940123456',
    });

    // Spent: opening it again lands on the platform's refreshUrl, where it makes a new link.
    await openFromPlatform(link.url);
    await page.waitForURL(REFRESH_URL);
    await screenshot(page, '6-used-link-to-refresh-url');
  });

  it('sends an expired link to its refreshUrl, and without one says what to do', async () => {
    const user = await givenOnboardedUser(server, platform);
    const withRefresh = await givenUpdateLink(server, platform, user.accountId, { refreshUrl: REFRESH_URL });
    const other = await givenOnboardedUser(server, platform);
    const withoutRefresh = await givenUpdateLink(server, platform, other.accountId);
    server.clock.advance(15 * 60 * 1000 + 1000);

    await openFromPlatform(withRefresh.url);
    await page.waitForURL(REFRESH_URL);
    expect((await page.goto(withoutRefresh.url))?.status()).toBe(410);
    expect(await heading()).toBe('This link has expired');
    expect(await page.locator('main').innerText()).toContain('Ask Acme Payments Ltd to send you a new link to update your details.');
    await screenshot(page, '7-expired-link');
  });
});
