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

/** Saves a full-page screenshot as test-artifacts/<suite>/<project>/<name>.png. */
export function screenshots(suite: string) {
  const directory = path.join('test-artifacts', suite, process.env.TEST_DATABASE ?? 'pglite');
  return async (page: Page, name: string) => {
    await mkdir(directory, { recursive: true });
    await page.screenshot({ path: path.join(directory, `${name}.png`), fullPage: true });
  };
}
