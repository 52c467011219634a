// The OAuth consent pages in a real browser, wearing the platform's brand: sign in (a wrong password
// first), then consent. An owner with one organization and one tenant finds it ticked and allows at
// once; the page says who is signed in, and "Not you?" starts the same request again for someone else.
// An owner with two tenants who ticks none is told so.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UpdatePlatformBrandingDocument } from '../generated/graphql.ts';
import { launchBrowser, screenshots } from '../support/browser.ts';
import {
  authorizeQuery,
  givenOAuthPlatform,
  givenOwnedOrganization,
  OAUTH_REDIRECT_URI,
  OWNER_PASSWORD,
  type OAuthPlatform,
} from '../support/givens/oauth.ts';
import { startTestServer, withKey, type TestServer } from '../support/server.ts';

let server: TestServer;
let platform: OAuthPlatform;
let browser: Browser;
let page: Page;
const screenshot = screenshots('consent');

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer({ listen: true }), launchBrowser()]);
  platform = await givenOAuthPlatform(server, 'Acme Platform');
  await server.request(UpdatePlatformBrandingDocument, { input: { primaryColor: '#b4451f' } }, withKey(platform.apiKey));
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
beforeEach(async () => {
  page = await browser.newPage();
  await page.route('https://platform.example/**', (route) =>
    route.fulfill({ contentType: 'text/html', body: '<h1>Back on the platform</h1>' }),
  );
});
afterEach(() => page?.close());

const heading = () => page.locator('h1').innerText();

async function signIn(email: string, password: string) {
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in to continue' }).click();
}

describe('the consent pages', () => {
  it('tick the only tenant, say who is signed in, and start again for someone else', async () => {
    const owner = await givenOwnedOrganization(server);
    // One organization with one tenant: nothing left to choose.
    await server.prisma.tenant.delete({ where: { id: owner.sandboxTenantId } });
    await page.goto(`${server.url}/oauth/authorize?${authorizeQuery(platform)}`);
    expect(await heading()).toBe('Connect to Acme Platform');
    await screenshot(page, '1-sign-in');

    await signIn(owner.email, 'not the password');
    await expect.poll(() => page.locator('#sign-in-error').innerText()).toBe('The e-mail or the password is not right.');
    await screenshot(page, '2-wrong-password');
    await signIn(owner.email, OWNER_PASSWORD);
    await expect.poll(heading).toBe('Allow Acme Platform access?');
    expect(await page.locator('.who').innerText()).toContain(`Signed in as ${owner.email}`);
    expect(await page.locator('input[name=tenant_id]').isChecked()).toBe(true);
    await screenshot(page, '3-consent-single-tenant');

    await page.getByRole('link', { name: 'Not you?' }).click();
    await expect.poll(heading).toBe('Connect to Acme Platform');
    await signIn(owner.email, OWNER_PASSWORD);
    await page.getByRole('button', { name: 'Allow access' }).click();
    await page.waitForURL((url) => url.href.startsWith(OAUTH_REDIRECT_URI));
    expect(new URL(page.url()).searchParams.get('code')).toMatch(/.+/);
  });

  it('asks for a tenant when there are several and none is ticked', async () => {
    const owner = await givenOwnedOrganization(server);
    await page.goto(`${server.url}/oauth/authorize?${authorizeQuery(platform)}`);
    await signIn(owner.email, OWNER_PASSWORD);
    await expect.poll(heading).toBe('Allow Acme Platform access?');
    expect(await page.locator('input[name=tenant_id]:checked').count()).toBe(0);
    await screenshot(page, '4-consent-several-tenants');
    await page.getByRole('button', { name: 'Allow access' }).click();
    await expect.poll(() => page.locator('[role=alert]').innerText()).toMatch(/tenant/i);
    await screenshot(page, '5-consent-no-tenant-chosen');
  });
});
