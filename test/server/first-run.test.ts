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

const lastLine = (output: string) => output.trim().split('\n').at(-1);

describe('a first run', () => {
  it('reads .env; a second server on its data folder, or on its port, is refused in one line; a kill -9 leaves nothing in the way', async () => {
    const port = await freePort();
    const { folder, data } = await projectFolder({ PORT: String(port), HOST: '127.0.0.1' });
    const first = startServerProcess({}, cleanups, { cwd: folder });
    await waitForReady(port);
    // Named, never quoted: the file's values may be secrets.
    const read = first
      .output()
      .split('\n')
      .find((line) => line.includes('read the variables of .env'));
    expect((JSON.parse(read ?? '{}') as { names?: string[] }).names?.sort()).toEqual(['DATA_DIR', 'HOST', 'PORT']);

    const sameFolder = startServerProcess({ PORT: String(await freePort()) }, cleanups, { cwd: folder });
    expect(await sameFolder.exited).toBe(1);
    expect(lastLine(sameFolder.output())).toBe(
      `Connect cannot start: the embedded database in ${path.join(data, 'pglite')} is in use by process ${first.child.pid} ` +
        `(node). Stop that server first, or give this one a folder of its own: DATA_DIR=.data-2 npm start`,
    );
    expect(sameFolder.output()).not.toMatch(/RuntimeError|Aborted/);

    // Another folder whose .env names a free port; the environment names the first server's, and wins.
    const { folder: other } = await projectFolder({ PORT: String(await freePort()), HOST: '127.0.0.1' });
    const samePort = startServerProcess({ PORT: String(port) }, cleanups, { cwd: other });
    expect(await samePort.exited).toBe(1);
    expect(lastLine(samePort.output())).toBe(
      `Connect cannot start: port ${port} on 127.0.0.1 is already in use (another Connect, or another program). ` +
        `Stop it, or pick another port: PORT=${port + 1} npm start`,
    );
    expect(samePort.output()).not.toMatch(/EADDRINUSE|at Server|RuntimeError/);

    // Neither refusal disturbed the first server.
    expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);
    // Killed without a chance to clean up, it leaves its pid file: the next start takes it over.
    first.child.kill('SIGKILL');
    await first.exited;
    const after = startServerProcess({}, cleanups, { cwd: folder });
    await waitForReady(port);
    after.child.kill('SIGTERM');
    expect(await after.exited).toBe(0);
  }, 90_000);
});
