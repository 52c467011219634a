// The hosted connection link page in a real browser: a platform acting for an EXPRESS account makes a
// link; the account's member opens it, signs in (a wrong password first), leaves the form empty,
// types a key the S3 store refuses, then the right one, and lands back on the platform with the
// connection's id; the connection is HEALTHY and nothing the platform received holds the secret. A
// reconnect link then replaces the secrets of a FAILING connection. The S3 store is a real s3rver;
// its key pair is in AWS's format, which the S3 provider checks when no S3-compatible format applies.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionHealthDocument, UpdatePlatformBrandingDocument } from '../generated/graphql.ts';
import { launchBrowser, screenshots, skipBrowserChecks } from '../support/browser.ts';
import { givenConnectPlatform, givenOnboardedUser, actingFor } from '../support/givens/connect.ts';
import { givenConnectionLink, givenS3Store, LINK_REFRESH_URL, S3_BUCKET, S3_KEY } from '../support/givens/connection-links.ts';
import { CREATE_CONNECTION, VERIFY } from '../support/givens/connections.ts';
import type { OrganizationFixture } from '../support/givens/organizations.ts';
import { untypedRequest } from '../support/untyped-graphql.ts';
import { startTestServer, withKey, type TestServer } from '../support/server.ts';
import type { S3StandIn } from '../connections/stand-ins/providers.ts';

const PLATFORM_SITE = 'https://platform.example';
const LOGO_URL = 'https://cdn.platform.example/logo.svg';
const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="48"><rect width="160" height="48" rx="8" fill="#0a7d5a"/>
<text x="80" y="31" font-family="sans-serif" font-size="20" fill="#fff" text-anchor="middle">Acme</text></svg>`;

let server: TestServer;
let platform: OrganizationFixture;
let store: S3StandIn;
let browser: Browser;
let page: Page;
const screenshot = screenshots('connection-link');

beforeAll(async () => {
  [server, browser, store] = await Promise.all([startTestServer({ listen: true }), launchBrowser(), givenS3Store()]);
  platform = await givenConnectPlatform(server, 'Acme Platform');
  const branded = await server.request(
    UpdatePlatformBrandingDocument,
    { input: { logoUrl: LOGO_URL, primaryColor: '#0a7d5a' } },
    withKey(platform.apiKey),
  );
  expect(branded.data?.updateConnectPlatform.__typename).toBe('UpdateConnectPlatformPayload');
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await store?.close();
});
beforeEach(async () => {
  page = await browser.newPage();
  // The platform's site and its logo are elsewhere: the browser only needs to arrive there, and to draw the logo.
  await page.route(`${PLATFORM_SITE}/**`, (route) => route.fulfill({ contentType: 'text/html', body: '<h1>Back on the platform</h1>' }));
  await page.route(LOGO_URL, (route) => route.fulfill({ contentType: 'image/svg+xml', body: LOGO }));
});
afterEach(() => page?.close());

/** Opens a link the way a user does, from the platform's site (Playwright routes a redirect's target only for navigations the page starts). */
async function openFromPlatform(url: string) {
  await page.setContent(`<a href="${url}">Connect your storage</a>`);
  await page.getByRole('link').click();
  await page.waitForLoadState();
}

const heading = () => page.locator('h1').innerText();

async function signIn(user: { email: string; password: string }) {
  await page.getByLabel('E-mail').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(heading).toBe('Connect S3');
}

/** The store's endpoint, the bucket and the keys, as the member types them. */
async function typeCredentials(keyId: string) {
  await page.getByLabel('Access key ID').fill(keyId);
  await page.getByLabel('Secret access key').fill(S3_KEY.secret);
  await page.getByLabel('Bucket (optional)').fill(S3_BUCKET);
  await page.getByLabel('Endpoint URL (optional)').fill(store.endpoint);
  await page.getByLabel('Bucket in the path').check();
}

/** What the platform was given about the tenant: its events, the webhook deliveries queued for them, and the API's answer. */
async function whatThePlatformSees(tenantId: string, connectionId: string, acting: Record<string, string>) {
  const events = await server.prisma.event.findMany({ where: { tenantId } });
  const deliveries = await server.prisma.webhookDelivery.findMany({ where: { tenantId } });
  const answer = await server.request(ConnectionHealthDocument, { id: connectionId }, acting);
  return {
    text: JSON.stringify({ events, deliveries, answer }, (_key, value) => (typeof value === 'bigint' ? String(value) : value)),
    answer,
  };
}

describe('the hosted connection link page', () => {
  it('lets the account’s member connect S3, checked against the store, without the platform ever seeing the secret', async () => {
    const user = await givenOnboardedUser(server, platform);
    const acting = actingFor(platform, user.accountId);
    const link = await givenConnectionLink(server, acting, { name: 'Invoice archive' });

    await openFromPlatform(link.url);
    await expect.poll(heading).toBe('Sign in');
    expect(await page.locator('aside').innerText()).toContain('Acme Platform');
    expect(await page.locator('aside img').evaluate((image: HTMLImageElement) => image.naturalWidth)).toBeGreaterThan(0);
    expect(await page.getByRole('button', { name: 'Sign in' }).evaluate((button) => getComputedStyle(button).backgroundColor)).toBe(
      'rgb(10, 125, 90)',
    );
    await screenshot(page, '1-sign-in');

    await page.getByLabel('E-mail').fill(user.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('[role=alert]').innerText()).toBe('The e-mail or the password is not right.');
    await screenshot(page, '2-wrong-password');
    await signIn(user);
    expect(await page.locator('.who').innerText()).toContain(`Signed in as ${user.email}`);
    expect(await page.getByLabel('Secret access key').getAttribute('type')).toBe('password');
    expect(await page.locator('#awsSecretAccessKey-help').innerText()).toContain('Shown once');
    await screenshot(page, '3-credentials');

    // Empty: the browser asks first; sent anyway, the server names each missing field in its own words.
    await page.getByRole('button', { name: 'Check and connect' }).click();
    expect(await page.getByLabel('Access key ID').evaluate((input: HTMLInputElement) => input.validity.valueMissing)).toBe(true);
    await skipBrowserChecks(page);
    await page.getByRole('button', { name: 'Check and connect' }).click();
    await expect.poll(() => page.locator('.error-summary h2').innerText()).toBe('Please correct 2 fields');
    expect(await page.locator('#awsAccessKeyId-error').innerText()).toBe('Access key ID is required.');
    await screenshot(page, '4-missing-fields');

    await typeCredentials('AKIAUNKNOWNKEY000001');
    await page.getByRole('button', { name: 'Check and connect' }).click();
    await expect.poll(() => page.locator('form [role=alert]').innerText()).toContain('S3 did not accept these credentials');
    // What was typed in the open is kept; the secret is not written back into the page.
    expect(await page.getByLabel('Access key ID').inputValue()).toBe('AKIAUNKNOWNKEY000001');
    expect(await page.getByLabel('Secret access key').inputValue()).toBe('');
    expect(await page.content()).not.toContain(S3_KEY.secret);
    await screenshot(page, '5-refused-by-the-store');
    expect(await server.prisma.connection.count({ where: { tenantId: user.tenantId } })).toBe(0);

    await typeCredentials(S3_KEY.id);
    await page.getByRole('button', { name: 'Check and connect' }).click();
    await page.waitForURL(/^https:\/\/platform\.example\/integrations\/done/);
    await screenshot(page, '6-back-on-platform');
    const connectionId = new URL(page.url()).searchParams.get('connection_id') ?? expect.fail('no connection_id');

    const seen = await whatThePlatformSees(user.tenantId, connectionId, acting);
    expect(seen.answer.data?.connection).toMatchObject({ name: 'Invoice archive', health: { status: 'HEALTHY' } });
    expect(seen.text).not.toContain(S3_KEY.secret);
    expect(seen.text).toContain('"connection.created"');

    // Spent: the platform's refreshUrl.
    await openFromPlatform(link.url);
    await page.waitForURL(LINK_REFRESH_URL);
    await screenshot(page, '7-used-link-to-refresh-url');

    const unknown = await page.goto(`${server.url}/connection-link/${'x'.repeat(44)}`);
    expect(unknown?.status()).toBe(404);
    expect(await heading()).toBe('This link is not valid');
    await screenshot(page, '8-unknown-link');
  });

  it('replaces the secrets of a FAILING connection through a reconnect link', async () => {
    const user = await givenOnboardedUser(server, platform);
    const acting = actingFor(platform, user.accountId);
    const input = {
      name: 'Old archive',
      providerType: 'S3',
      secrets: { s3: { awsAccessKeyId: 'AKIAOLDKEY0000000002', awsSecretAccessKey: 'old/secret/0000000000000000000000000000002' } },
      // A store that moved: nothing answers at its old address, so the check says FAILING.
      settings: { endpoint: 'http://127.0.0.1:1', bucket: S3_BUCKET, forcePathStyle: true },
    };
    const created = await untypedRequest(server, CREATE_CONNECTION, { input }, acting);
    const connectionId = created.data!.createConnection.connection.id as string;
    const verified = await untypedRequest(server, VERIFY, { id: connectionId }, acting);
    expect(verified.data!.verifyConnection.connection.health.status).toBe('FAILING');

    const link = await givenConnectionLink(server, acting, { connectionId });
    await openFromPlatform(link.url);
    expect(await page.locator('main').innerText()).toContain('reconnect Old archive');
    await signIn(user);
    expect(await page.getByLabel('Endpoint URL (optional)').inputValue()).toBe('http://127.0.0.1:1/');
    expect(await page.getByLabel('Secret access key').inputValue()).toBe('');
    await screenshot(page, '9-reconnect');

    await typeCredentials(S3_KEY.id);
    await page.getByRole('button', { name: 'Check and replace' }).click();
    await page.waitForURL(/^https:\/\/platform\.example\/integrations\/done/);
    expect(new URL(page.url()).searchParams.get('connection_id')).toBe(connectionId);
    const seen = await whatThePlatformSees(user.tenantId, connectionId, acting);
    expect(seen.answer.data?.connection).toMatchObject({ health: { status: 'HEALTHY' }, secretHints: { awsAccessKeyId: '…0001' } });
    expect(seen.text).toContain('"connection.health_changed"');
    expect(seen.text).not.toContain(S3_KEY.secret);
  });
});
