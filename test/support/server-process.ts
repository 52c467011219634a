// The server as a process, for the tests of what happens at start and stop: a free port, the compiled
// server (the global setup builds dist/), its output, and an embedded database folder to give it.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { inject } from 'vitest';

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  child: ReturnType<typeof spawn>;
  exited: Promise<number | null>;
  output(): string;
}

/**
 * `npm start`'s process (scripts/start.sh) with only `environment` and PATH, or, with `cwd`, the
 * compiled server run from that folder (where it reads `.env` and resolves a relative DATA_DIR).
 * Killed when `cleanups` run.
 */
export function startServerProcess(
  environment: Record<string, string>,
  cleanups: (() => unknown)[],
  { cwd }: { cwd?: string } = {},
): ServerProcess {
  const [command, args] = cwd ? [process.execPath, [path.resolve('dist/server.js')]] : ['sh', ['scripts/start.sh']];
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  cleanups.push(() => child.kill('SIGKILL'));
  return { child, exited, output: () => output };
}

export async function waitForReady(port: number, deadlineMs = 60_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    const status = await fetch(`http://127.0.0.1:${port}/ready`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the server did not become ready');
}

/**
 * A new folder for DATA_DIR, removed by `cleanups`. With `migrated`, its embedded database is the
 * global setup's migrated copy (the server then skips initdb and the migrations); without, empty, as
 * on a first start.
 */
export async function pgliteDataDir(cleanups: (() => unknown)[], { migrated = false } = {}): Promise<string> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'connect-data-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  if (migrated) {
    // The server keeps its embedded database in <DATA_DIR>/pglite.
    const snapshot = new Blob([readFileSync(inject('pgliteMigratedSnapshotPath'))]);
    await (await PGlite.create({ dataDir: path.join(dataDir, 'pglite'), loadDataDir: snapshot })).close();
  }
  return dataDir;
}
