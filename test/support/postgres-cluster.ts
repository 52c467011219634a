// Global setup of the `postgres` project: a throwaway PostgreSQL cluster on a free port, unless
// TEST_DATABASE_URL names a server to use. Each test file then creates its own database in it.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

const POSTGRES_BIN = process.env.POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** initdb and postgres refuse to run as root; run them as the `postgres` user then. */
const asRoot = process.getuid?.() === 0;

function runAsDatabaseUser(command: string, args: string[]) {
  const [file, fileArgs] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  execFileSync(file, fileArgs, { stdio: ['ignore', 'ignore', 'inherit'] });
}

function giveToDatabaseUser(directory: string) {
  if (!asRoot) return;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(directory, id('-u'), id('-g'));
}

export default async function setup(project: TestProject) {
  if (process.env.TEST_DATABASE_URL) {
    project.provide('postgresUrl', process.env.TEST_DATABASE_URL);
    return;
  }
  if (!existsSync(path.join(POSTGRES_BIN, 'initdb'))) {
    throw new Error(`No PostgreSQL server at ${POSTGRES_BIN}: install it (apt-get install postgresql) or set TEST_DATABASE_URL.`);
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'connect-pg-'));
  giveToDatabaseUser(dataDir);
  const port = await freePort();
  runAsDatabaseUser(path.join(POSTGRES_BIN, 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  runAsDatabaseUser(path.join(POSTGRES_BIN, 'pg_ctl'), [
    '-D', dataDir, '-w', '-l', path.join(dataDir, 'log'),
    '-o', `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300`,
    'start',
  ]);
  project.provide('postgresUrl', `postgresql://postgres@127.0.0.1:${port}/postgres`);
  return () => {
    runAsDatabaseUser(path.join(POSTGRES_BIN, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', 'stop']);
    rmSync(dataDir, { recursive: true, force: true });
  };
}
