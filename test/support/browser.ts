// A real browser for the hosted pages: Debian's chromium driven by playwright-core (browsers cannot
// be downloaded here). Screenshots are kept under test-artifacts/ as the tests' record of each step.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    expect.fail(
      `No browser at ${CHROMIUM}: install Debian's chromium (apt-get install chromium; .ci/run and npm test do it as root) or set CHROMIUM_PATH.`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    // The machine's network is closed: no background connections, no sandbox as root.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The widths every page is looked at: a laptop's, and a phone's (an iPhone 12 to 15). */
const WIDTHS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

/**
 * Saves full-page screenshots as test-artifacts/<suite>/<project>/<name>-desktop.png and
 * <name>-phone.png; the page is left at the width it had.
 */
export function screenshots(suite: string) {
  const directory = path.join('test-artifacts', suite, process.env.TEST_DATABASE ?? 'pglite');
  return async (page: Page, name: string) => {
    await mkdir(directory, { recursive: true });
    const before = page.viewportSize();
    for (const [width, size] of Object.entries(WIDTHS)) {
      await page.setViewportSize(size);
      await page.screenshot({ path: path.join(directory, `${name}-${width}.png`), fullPage: true });
    }
    if (before) await page.setViewportSize(before);
  };
}

/** Lets a form go to the server unchecked, as a browser without validation would send it: the server's own messages show. */
export const skipBrowserChecks = (page: Page) =>
  page.locator('form').evaluateAll((forms) => {
    for (const form of forms) (form as HTMLFormElement).noValidate = true;
  });
