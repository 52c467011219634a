// Global setup of the `pglite` project. Creating an embedded cluster runs initdb in WebAssembly
// (5-8 s) and applying the migrations through the WebAssembly schema engine takes 2 s more, while
// loading a dump of the result takes about 1 s. So test servers start from dumps made once: a blank
// cluster (for the tests that migrate from empty, as a new server does) and the same cluster
// migrated (for every other test server). The dumps are kept in node_modules/.cache between runs,
// under a key naming PGlite's and the schema engine's versions and the migration history's content.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { TestProject } from 'vitest/node';
import { migrationsDir } from '../../src/db/migrations.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A dump of a fresh cluster, before any migration. */
    pgliteSnapshotPath: string;
    /** A dump of the same cluster with every migration applied. */
    pgliteMigratedSnapshotPath: string;
  }
}

const projectRoot = path.resolve(import.meta.dirname, '../..');
const versionOf = (name: string) =>
  (JSON.parse(readFileSync(path.join(projectRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

/** Changes whenever a dump made earlier would no longer be what a fresh run makes. */
function cacheKey(): string {
  const hash = createHash('sha256');
  hash.update(`${versionOf('@electric-sql/pglite')} ${versionOf('@prisma/schema-engine-wasm')}\n`);
  for (const entry of readdirSync(migrationsDir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const file = entry.isDirectory() ? path.join(migrationsDir, entry.name, 'migration.sql') : path.join(migrationsDir, entry.name);
    hash.update(`${entry.name}\n`).update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * Makes the dumps in a worker thread, ended once they are written: the schema engine leaves timers
 * behind that would otherwise hold vitest's process open for 8 s after the run.
 */
function buildSnapshots(directory: string): Promise<void> {
  const script = new URL('./pglite-snapshot-worker.ts', import.meta.url).href;
  const worker = new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(script)}); })`, {
    eval: true,
    workerData: { directory },
  });
  return new Promise<void>((resolve, reject) => {
    worker.once('message', (message: { error?: string }) => {
      void worker.terminate();
      if (message.error) reject(new Error(`making the PGlite snapshots failed: ${message.error}`));
      else resolve();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the PGlite snapshot worker exited with code ${code}`)));
  });
}

export default async function setup(project: TestProject) {
  const cache = path.join(projectRoot, 'node_modules/.cache/connect-test-pglite');
  const directory = path.join(cache, cacheKey());
  if (!existsSync(directory)) {
    // Built aside and renamed into place, so an interrupted run leaves no half-written dump behind.
    const building = `${directory}.${process.pid}`;
    mkdirSync(building, { recursive: true });
    try {
      await buildSnapshots(building);
      rmSync(directory, { recursive: true, force: true });
      renameSync(building, directory);
    } finally {
      rmSync(building, { recursive: true, force: true });
    }
    // Dumps of earlier migration histories are of no further use.
    for (const old of readdirSync(cache))
      if (path.join(cache, old) !== directory) rmSync(path.join(cache, old), { recursive: true, force: true });
  }
  project.provide('pgliteSnapshotPath', path.join(directory, 'blank-cluster.tar'));
  project.provide('pgliteMigratedSnapshotPath', path.join(directory, 'migrated-cluster.tar'));
}
