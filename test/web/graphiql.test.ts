// GraphiQL as a newcomer first opens it on a development server: the Docs explorer lists the schema
// without any key, an example operation and the Authorization header template are in place, and
// with a key pasted in, the example runs. Over plain HTTP: only the schema is open, and only in
// development.
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { launchBrowser, screenshots } from '../support/browser.ts';
import { givenOrganization } from '../support/givens/organizations.ts';
import { startTestServer, TEST_ENCRYPTION_KEYS, withKey, type TestServer } from '../support/server.ts';

let development: TestServer;
let browser: Browser;
const screenshot = screenshots('graphiql');

beforeAll(async () => {
  [development, browser] = await Promise.all([
    startTestServer({ listen: true, environment: { NODE_ENV: 'development' } }),
    launchBrowser(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await development?.close();
});

/** What GraphiQL shows when its schema request fails. */
const INTROSPECTION_ERROR = /introspection (has been disabled|failed)/i;

const introspection = '{ __schema { queryType { name } } }';
/** What production requires of the configuration (the test server still runs on its own database). */
const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgresql://db.example/connect',
  ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
  METRICS_TOKEN: 'metrics-token-0123456789',
};

async function post(server: TestServer, query: string, headers: Record<string, string> = {}) {
  const response = await server.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as { data?: Record<string, unknown> | null; errors?: { message: string }[] };
}

// GraphiQL's query, variables and headers editors are Monaco editors.
const queryEditor = (page: Page) => page.locator('.graphiql-query-editor .monaco-editor');
const headersEditor = (page: Page) => page.locator('.monaco-editor[data-uri$="request-headers.json"]');

/** The text of a Monaco editor as a reader sees it (Monaco renders spaces as non-breaking ones). */
const editorText = async (editor: Locator) => (await editor.locator('.view-lines').innerText()).replaceAll('\u00a0', ' ');

/** Pastes `text` over the editor's content, as a person would (typing would meet Monaco's auto-closing quotes). */
async function pasteOver(editor: Locator, text: string) {
  const page = editor.page();
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.evaluate((content) => navigator.clipboard.writeText(content), text);
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('ControlOrMeta+V');
}

describe('GraphiQL on first open, in development', () => {
  it('lists the schema in the Docs explorer without a key, with an example operation and the header template', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const schemaAnswer = page.waitForResponse((response) => response.url().endsWith('/graphql') && response.request().method() === 'POST');
    await page.goto(`${development.url}/graphql`);
    expect((await schemaAnswer).status()).toBe(200);
    await queryEditor(page).waitFor();
    await expect.poll(() => editorText(queryEditor(page))).toContain('query WhoAmI {');
    await screenshot(page, 'first-open');

    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
    const docs = page.locator('.graphiql-doc-explorer');
    await expect.poll(() => docs.innerText()).toMatch(/query:\s*Query/);
    await screenshot(page, 'docs');
    await docs.getByRole('link', { name: 'Query', exact: true }).click();
    await expect.poll(() => docs.innerText()).toMatch(/viewer:\s*Viewer!/);
    expect(await page.locator('body').innerText()).not.toMatch(INTROSPECTION_ERROR);

    await expect.poll(() => editorText(headersEditor(page))).toContain('"Authorization": "Bearer <your API key>"');
    await page.close();
  });

  it('runs the example once the key is in the Headers tab', async () => {
    const organization = await givenOrganization(development);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${development.url}/graphql`);
    await headersEditor(page).waitFor();
    await pasteOver(headersEditor(page), JSON.stringify({ Authorization: `Bearer ${organization.apiKey}` }));
    await page.getByRole('button', { name: /Execute query/ }).click();
    await expect.poll(() => page.locator('.graphiql-response').innerText()).toContain(organization.organizationId);
    await screenshot(page, 'who-am-i');
    await page.close();
  });
});

describe('the schema over HTTP', () => {
  it('is open without a key in development, while data still needs one', async () => {
    expect(await post(development, introspection)).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    const viewer = await post(development, '{ viewer { organizationId } }');
    expect(viewer.data ?? null).toBeNull();
    expect(viewer.errors?.[0]?.message).toMatch(/API key/i);
  });

  it('is refused without a key in production, and served with one', async () => {
    const production = await startTestServer({ environment: PRODUCTION });
    try {
      const anonymous = await post(production, introspection);
      expect(anonymous.data).toBeUndefined();
      expect(anonymous.errors?.[0]?.message).toMatch(/introspection has been disabled/i);
      const { apiKey } = await givenOrganization(production);
      expect(await post(production, introspection, withKey(apiKey))).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    } finally {
      await production.close();
    }
  });

  it('opens by default in development only; GRAPHQL_INTROSPECTION always wins', () => {
    expect(loadConfig({}).introspection).toBe('always');
    expect(loadConfig({ NODE_ENV: 'test' }).introspection).toBe('authenticated');
    expect(loadConfig(PRODUCTION).introspection).toBe('authenticated');
    expect(loadConfig({ GRAPHQL_INTROSPECTION: 'authenticated' }).introspection).toBe('authenticated');
    expect(loadConfig({ ...PRODUCTION, GRAPHQL_INTROSPECTION: 'always' }).introspection).toBe('always');
  });
});
