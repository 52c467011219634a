// Global setup of the `pglite` project. Creating an embedded cluster runs initdb in WebAssembly,
// which takes 5-8 s; loading a dump of a fresh cluster takes about 1 s. So the cluster is created
// once per run, dumped to a file, and every test server starts from that dump (still empty: each
// test server applies the migrations itself, as the real server does).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteSnapshotPath: string;
  }
}

export default async function setup(project: TestProject) {
  const directory = mkdtempSync(path.join(tmpdir(), 'connect-pglite-'));
  const file = path.join(directory, 'blank-cluster.tar');
  const pglite = await PGlite.create();
  const dump = await pglite.dumpDataDir('none');
  await pglite.close();
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteSnapshotPath', file);
  return () => rmSync(directory, { recursive: true, force: true });
}
