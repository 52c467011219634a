// The platform frontend example in Chromium, end to end: the platform's backend creates an EXPRESS
// account and mints sessions, its Vite page mounts connect.js's five components, and a new customer
// onboards inside the page (sign-up, the e-mailed code, business details), adds and checks a
// connection, and watches its activity live. Sessions from a wrong origin, expired or revoked are refused.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PlatformFrontendAccountDocument,
  PlatformFrontendMintSessionDocument,
  PlatformFrontendRevokeSessionDocument,
  UpdateConnectionDocument,
  UpdateConnectPlatformDocument,
} from '../generated/graphql.ts';
import { startStripe, type StandIn } from '../connections/stand-ins/providers.ts';
import { launchBrowser, screenshots } from '../support/browser.ts';
import { givenConnectPlatform } from '../support/givens/connect.ts';
import type { OrganizationFixture } from '../support/givens/organizations.ts';
import { startTestServer, withKey, type TestServer } from '../support/server.ts';
import { type PlatformFrontend, startPlatformFrontend } from './platform-frontend-page.ts';

const STRIPE_SECRET_KEY = 'sk_test_51EmbeddedHealthyKey4242';
const STRIPE_PUBLISHABLE_KEY = 'pk_test_51EmbeddedPublishable4242';
const EMAIL = 'owner@demo-shop.example';
const SESSION_LIFETIME_MS = 30 * 60 * 1000;

let server: TestServer;
let browser: Browser;
let platform: OrganizationFixture;
let stripe: StandIn;
let frontend: PlatformFrontend;
const screenshot = screenshots('platform-frontend');

beforeAll(async () => {
  [server, browser, stripe] = await Promise.all([startTestServer({ listen: true }), launchBrowser(), startStripe([STRIPE_SECRET_KEY])]);
  platform = await givenConnectPlatform(server, 'Demo Platform');
  frontend = await startPlatformFrontend({ connectUrl: server.url, apiKey: platform.apiKey, customerEmail: EMAIL });
  const allowed = await server.request(
    UpdateConnectPlatformDocument,
    { input: { allowedOrigins: [frontend.url] } },
    withKey(platform.apiKey),
  );
  expect(allowed.data?.updateConnectPlatform.__typename, JSON.stringify(allowed)).toBe('UpdateConnectPlatformPayload');
});
afterAll(async () => {
  await frontend?.close();
  await browser?.close();
  await stripe?.close();
  await server?.close();
});

/** A session of the demo account minted with the platform's key, as the backend does. */
async function mintSession(accountId: string) {
  const response = await server.request(
    PlatformFrontendMintSessionDocument,
    { input: { connectedAccountId: accountId, components: ['CONNECTIONS'] } },
    withKey(platform.apiKey),
  );
  const result = response.data?.createAccountSession;
  if (result?.__typename !== 'CreateAccountSessionPayload') return expect.fail(JSON.stringify(response));
  return { id: result.accountSession.id, secret: result.clientSecret };
}

/** What Connect answers a page on `origin` asking with `secret`. */
async function askAs(secret: string, origin: string) {
  const response = await server.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}`, origin },
    body: JSON.stringify({ query: '{ connections(first: 1) { nodes { id } } }' }),
  });
  const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
  return { status: response.status, code: body.errors?.[0]?.extensions?.code };
}

/** A page on another origin of this machine (`localhost` where Connect and the platform are on 127.0.0.1). */
async function serveStrangerPage(body: string) {
  const site = createServer((_request, response) =>
    response.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><body>${body}</body>`),
  );
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://localhost:${(site.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((resolve) => site.close(() => resolve())),
  };
}

/** The 6-digit code of the last e-mail to `to`, read from the development outbox page. */
async function codeFromOutbox(to: string): Promise<string> {
  const outbox = await browser.newPage();
  try {
    let code: string | undefined;
    await expect
      .poll(async () => {
        await outbox.goto(`${server.url}/dev/outbox`);
        const mail = outbox.locator('article', { hasText: to }).first();
        code = (await mail.count()) ? /\b(\d{6})\b/.exec(await mail.locator('pre').innerText())?.[1] : undefined;
        return code;
      })
      .toMatch(/^\d{6}$/);
    await screenshot(outbox, '2-outbox');
    return code ?? expect.fail('no code');
  } finally {
    await outbox.close();
  }
}

// A browser story of many steps, each waiting on the server: longer than the suite's 30 s per test.
describe('the platform frontend example', { timeout: 90_000 }, () => {
  let page: Page;
  let accountId: string;

  it('serves connect.js as a public, cacheable ES module', async () => {
    const response = await server.fetch('/embed/v1/connect.js', { headers: { origin: 'https://any-platform.example' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('cache-control')).toContain('max-age=');
    const etag = response.headers.get('etag') ?? expect.fail('no ETag');
    expect(await response.text()).toContain('loadConnect');
    const again = await server.fetch('/embed/v1/connect.js', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const gzipped = gzipSync(readFileSync('dist/embed/connect.js')).length;
    console.log(`connect.js: ${(gzipped / 1024).toFixed(1)} KiB gzipped (the example page built in ${frontend.buildMs.toFixed(0)} ms)`);
    expect(gzipped).toBeLessThan(60 * 1024);
  });

  it('onboards a new customer inside the page: sign-up, the e-mailed code, business details', async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const sessionMinted = page.waitForResponse((response) => response.url().endsWith('/session'));
    await page.goto(frontend.url);
    expect((await sessionMinted).status()).toBe(200);
    const mintedAt = performance.now();
    await page.locator('#sign-up-email').waitFor({ state: 'visible' });
    const interactiveMs = performance.now() - mintedAt;
    console.log(`session created → onboarding interactive: ${interactiveMs.toFixed(0)} ms`);
    accountId = await frontend.backend.accountId();

    await expect.poll(() => page.locator('connect-account-onboarding h2').innerText()).toBe('Set up your account with Demo Platform');
    await screenshot(page, '1-sign-up');
    await page.setViewportSize({ width: 375, height: 740 });
    await screenshot(page, '1-sign-up-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
    // The e-mail the platform gave is suggested; keyboard only: the field, then its button, by Tab and Enter.
    expect(await page.locator('#sign-up-email').inputValue()).toBe(EMAIL);
    await page.locator('#sign-up-email').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('connect-account-onboarding h2').innerText()).toBe('Check your inbox');
    // The step's heading takes the focus.
    expect(await page.evaluate(() => document.querySelector('connect-account-onboarding')?.shadowRoot?.activeElement?.tagName)).toBe('H2');

    const code = await codeFromOutbox(EMAIL);
    await page.getByLabel('6-digit code').fill(code);
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => page.locator('#verify-password-error').innerText()).toBe('The password must be 8 to 200 characters.');
    // The summary at the top has the focus, and says the same.
    expect(await page.evaluate(() => document.querySelector('connect-account-onboarding')?.shadowRoot?.activeElement?.id)).toBe(
      'verify-summary',
    );
    await screenshot(page, '3-password-error');
    await page.getByLabel('Password').fill('a long enough password');
    await page.getByRole('button', { name: 'Continue' }).click();

    await expect.poll(() => page.locator('connect-account-onboarding h2').innerText()).toBe('Your business');
    expect(await page.getByLabel('Organization name').inputValue()).toBe('Demo Shop');
    expect(await page.getByLabel('Country').inputValue()).toBe('DE');
    expect(await page.locator('#details-country option[value="DE"]').innerText()).toBe('Germany');
    await page.getByLabel('Legal name').fill('Demo Shop GmbH');
    await page.getByLabel('Address (optional)', { exact: true }).fill('Hauptstraße 1');
    await page.getByLabel('City').fill('Berlin');
    await page.getByLabel('Postal code').fill('10115');
    await screenshot(page, '4-business');
    await page.getByRole('button', { name: 'Finish' }).click();

    await expect.poll(() => page.locator('connect-account-onboarding h2').innerText()).toBe('Your account is ready');
    await expect.poll(() => page.locator('#page-messages').innerText()).toBe('Welcome aboard: your account is ready.');
    const account = await server.request(PlatformFrontendAccountDocument, { id: accountId }, withKey(platform.apiKey));
    expect(account.data?.connectedAccount).toMatchObject({ status: 'ACTIVE', connectedOrganization: { name: 'Demo Shop' } });
    // The page's own typed query with the session.
    await expect.poll(() => page.locator('#session-summary').innerText()).toMatch(/^Demo Platform · account active · session until /);
    // Nothing is due: the banner says nothing.
    await expect.poll(() => page.locator('connect-notification-banner').getAttribute('state')).toBe('clear');
    expect(await page.locator('connect-notification-banner').isHidden()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('adds a connection and checks it through the component, while the activity follows live', async () => {
    await expect.poll(() => page.getByRole('button', { name: 'Add a connection' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Add a connection' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Stripe live');
    await page.getByLabel('Secret key').fill(STRIPE_SECRET_KEY);
    await page.getByLabel('Publishable key').fill(STRIPE_PUBLISHABLE_KEY);
    await page.getByLabel('API address').fill(stripe.url);
    await page.getByRole('button', { name: 'Add connection' }).click();
    await expect.poll(() => page.locator('connect-connections [role=status]').innerText()).toContain('Stripe live is added');
    // Write-only: nothing of the secret is in the page.
    expect(await page.content()).not.toContain(STRIPE_SECRET_KEY);
    expect(await page.locator('connect-connections').evaluate((element) => element.shadowRoot?.innerHTML ?? '')).not.toContain('4242');

    await page.getByRole('button', { name: 'Check credentials of Stripe live' }).click();
    await expect.poll(() => page.locator('connect-connections [role=status]').innerText()).toBe('Stripe live: the credentials work.');
    expect(await page.locator('connect-connections .health').first().innerText()).toBe('Working');

    const activity = page.locator('connect-events li');
    await expect.poll(() => page.locator('connect-events li[data-event-type="connection.created"]').count()).toBe(1);
    // A change made elsewhere (the platform, acting for the account) shows up without a reload.
    const before = await activity.count();
    const connections = await server.prisma.connection.findMany({ where: { name: 'Stripe live' } });
    const renamed = await server.request(
      UpdateConnectionDocument,
      { input: { id: connections[0]?.id ?? expect.fail('no connection'), name: 'Stripe (renamed by the platform)' } },
      { ...withKey(platform.apiKey), 'x-meteroid-connect-account': accountId },
    );
    expect(renamed.data?.updateConnection.__typename, JSON.stringify(renamed)).toBe('UpdateConnectionPayload');
    await expect.poll(() => activity.count()).toBe(before + 1);
    expect(await activity.first().getAttribute('data-event-type')).toBe('connection.updated');
    await screenshot(page, '5-connected');
    await page.setViewportSize({ width: 375, height: 740 });
    await screenshot(page, '5-connected-phone');
  });

  // The 401 of an ended session carries CORS headers (src/http/cors.ts), or the browser would read it as
  // a network failure and the component could not tell it should ask for a new session.
  it('asks the platform for a new session when the one it holds has expired', async () => {
    const minted: string[] = [];
    page.on('request', (request) => request.url().endsWith('/session') && minted.push(request.url()));
    const checks = stripe.requests.length;
    server.clock.advance(SESSION_LIFETIME_MS + 60_000);
    await page.getByRole('button', { name: /^Check credentials of/ }).click();
    // The check reached the provider: the request went through, with a session minted after the refusal.
    await expect.poll(() => stripe.requests.length).toBe(checks + 1);
    expect(minted).toHaveLength(1);
    // Named as it is now: the component reads the list again with its new session (the previous story renamed it).
    await expect.poll(() => page.locator('connect-connections [role=status]').innerText()).toMatch(/^Stripe .*: the credentials work\.$/);
  });

  it('refuses a session from another origin, an expired one and a revoked one', async () => {
    const elsewhere = await mintSession(accountId);
    expect(await askAs(elsewhere.secret, frontend.url)).toEqual({ status: 200, code: undefined });
    expect(await askAs(elsewhere.secret, 'https://attacker.example')).toEqual({ status: 403, code: 'ORIGIN_NOT_ALLOWED' });

    const expiring = await mintSession(accountId);
    server.clock.advance(SESSION_LIFETIME_MS + 1_000);
    expect(await askAs(expiring.secret, frontend.url)).toEqual({ status: 401, code: 'UNAUTHENTICATED' });

    const revoked = await mintSession(accountId);
    const revocation = await server.request(PlatformFrontendRevokeSessionDocument, { input: { id: revoked.id } }, withKey(platform.apiKey));
    expect(revocation.data?.revokeAccountSession.__typename, JSON.stringify(revocation)).toBe('RevokeAccountSessionPayload');
    expect(await askAs(revoked.secret, frontend.url)).toEqual({ status: 401, code: 'UNAUTHENTICATED' });

    // In a browser, a page on a site the platform did not allow shows nothing of the account. (Served
    // for real on this machine: Chromium lets only a local page reach a loopback server.)
    const secret = (await mintSession(accountId)).secret;
    const site = await serveStrangerPage(`<script type="module">
      const { loadConnect } = await import(${JSON.stringify(`${server.url}/embed/v1/connect.js`)});
      const connect = loadConnect({ apiUrl: ${JSON.stringify(server.url)}, fetchClientSecret: async () => ${JSON.stringify(secret)} });
      document.addEventListener('connect:error', (event) => { document.title = event.detail.code; });
      document.body.append(connect.create('connect-connections'));
    </script>`);
    const stranger = await browser.newPage();
    await stranger.goto(site.url);
    await expect.poll(() => stranger.title()).not.toBe('');
    // Refused before CORS lets the page read any answer: the component can only say it got none.
    expect(['ORIGIN_NOT_ALLOWED', 'NETWORK']).toContain(await stranger.title());
    expect(await stranger.locator('connect-connections').innerText()).not.toContain('Stripe');
    await site.close();
    await stranger.close();
    await page.close();
  });
});
