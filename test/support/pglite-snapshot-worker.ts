// Run by pglite-snapshot.ts in a worker thread: creates an embedded cluster, dumps it blank, applies
// the migrations, dumps it again, and says so (the parent then ends the thread).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { applyMigrations } from '../../src/db/migrations.ts';

async function dump(pglite: PGlite, file: string) {
  const tar = await pglite.dumpDataDir('none');
  writeFileSync(file, Buffer.from(await tar.arrayBuffer()));
}

const { directory } = workerData as { directory: string };
try {
  const pglite = await PGlite.create();
  await dump(pglite, path.join(directory, 'blank-cluster.tar'));
  await applyMigrations(new PrismaPGlite(pglite));
  await dump(pglite, path.join(directory, 'migrated-cluster.tar'));
  await pglite.close();
  parentPort?.postMessage({});
} catch (error) {
  parentPort?.postMessage({ error: (error as Error).message });
}
