// A newcomer's first runs: `.env` read, and the two ways a second start used to fail with a stack (a
// PGlite WebAssembly dump when the data folder is in use, a raw EADDRINUSE) now one line that says
// what to do. On the embedded database only: it is what these are about.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, pgliteDataDir, startServerProcess, waitForReady } from '../support/server-process.ts';

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A folder to start the server from, with a migrated database in `data/` and `.env` holding `variables`. */
async function projectFolder(variables: Record<string, string>) {
  const folder = await pgliteDataDir(cleanups);
  const data = await pgliteDataDir(cleanups, { migrated: true });
  writeFileSync(
    path.join(folder, '.env'),
    Object.entries({ DATA_DIR: data, ...variables })
      .map(([name, value]) => `${name}=${value}`)
      .join('\n'),
  );
  return { folder, data };
}

describe('a first run', () => {
  it('reads .env, refuses a second server on the same data folder in one line, and takes over after a kill -9', async () => {
    const port = await freePort();
    const { folder, data } = await projectFolder({ PORT: String(port), HOST: '127.0.0.1' });
    const first = startServerProcess({}, cleanups, { cwd: folder });
    await waitForReady(port);
    expect(first.output()).toContain('read the variables of .env not set in the environment');

    const second = startServerProcess({ PORT: String(await freePort()) }, cleanups, { cwd: folder });
    expect(await second.exited).toBe(1);
    expect(second.output().trim().split('\n').at(-1)).toBe(
      `Connect cannot start: the embedded database in ${path.join(data, 'pglite')} is in use by process ${first.child.pid} ` +
        `(${process.execPath} ${path.resolve('dist/server.js')}). Stop that server first, or give this one a folder of its own: DATA_DIR=.data-2 npm start`,
    );
    expect(second.output()).not.toMatch(/RuntimeError|Aborted/);
    // The first one was not disturbed.
    expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);

    first.child.kill('SIGKILL');
    await first.exited;
    const after = startServerProcess({}, cleanups, { cwd: folder });
    await waitForReady(port);
    after.child.kill('SIGTERM');
    expect(await after.exited).toBe(0);
  }, 60_000);

  it('names a taken port and how to pick another, the environment winning over .env', async () => {
    const taken = await freePort();
    const { folder } = await projectFolder({ PORT: String(taken), HOST: '127.0.0.1' });
    const holder = startServerProcess({}, cleanups, { cwd: folder });
    await waitForReady(taken);

    const { folder: other } = await projectFolder({ PORT: String(await freePort()), HOST: '127.0.0.1' });
    const second = startServerProcess({ PORT: String(taken) }, cleanups, { cwd: other });
    expect(await second.exited).toBe(1);
    const lines = second.output().trim().split('\n');
    expect(lines.at(-1)).toBe(
      `Connect cannot start: port ${taken} on 127.0.0.1 is already in use (another Connect, or another program). ` +
        `Stop it, or pick another port: PORT=${taken + 1} npm start`,
    );
    expect(second.output()).not.toMatch(/EADDRINUSE|at Server|RuntimeError/);
    holder.child.kill('SIGTERM');
    expect(await holder.exited).toBe(0);
  }, 60_000);
});
