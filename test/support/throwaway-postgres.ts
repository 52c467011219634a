// A throwaway PostgreSQL cluster on a free loopback port, for the test suite and the reliability
// scripts. initdb and postgres refuse to run as root, so as root they run as the `postgres` user.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const POSTGRES_BIN = process.env.POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';
const asRoot = process.getuid?.() === 0;

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

function runAsDatabaseUser(command: string, args: string[]) {
  const [file, fileArgs] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  execFileSync(file, fileArgs, { stdio: ['ignore', 'ignore', 'inherit'] });
}

function giveToDatabaseUser(directory: string) {
  if (!asRoot) return;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(directory, id('-u'), id('-g'));
}

export interface PostgresCluster {
  url: string;
  /** Stops the server (the data stays), as an outage would. */
  stop(mode?: 'fast' | 'immediate'): void;
  start(): void;
  /** Stops it for good and deletes its data. */
  destroy(): void;
}

export async function startPostgresCluster(settings: Record<string, string> = {}): Promise<PostgresCluster> {
  if (!existsSync(path.join(POSTGRES_BIN, 'initdb'))) {
    throw new Error(`No PostgreSQL server at ${POSTGRES_BIN}: install it (apt-get install postgresql) or set TEST_DATABASE_URL.`);
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'connect-pg-'));
  giveToDatabaseUser(dataDir);
  const port = await freePort();
  runAsDatabaseUser(path.join(POSTGRES_BIN, 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const options = Object.entries({ listen_addresses: '127.0.0.1', fsync: 'off', max_connections: '300', ...settings })
    .map(([name, value]) => `-c ${name}=${value}`)
    .join(' ');
  const pgCtl = (...args: string[]) => runAsDatabaseUser(path.join(POSTGRES_BIN, 'pg_ctl'), ['-D', dataDir, ...args]);
  const start = () => pgCtl('-w', '-l', path.join(dataDir, 'log'), '-o', `-p ${port} -k ${dataDir} ${options}`, 'start');
  start();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    stop: (mode = 'fast') => pgCtl('-m', mode, '-w', 'stop'),
    start,
    destroy() {
      try {
        pgCtl('-m', 'immediate', 'stop');
      } catch {
        // already stopped
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
