// Applies the migrations to a PostgreSQL server from a worker thread. The schema engine's
// WebAssembly memory (about 65 MB) stays allocated for the life of the thread that used it: in a
// worker it is returned when the worker ends, instead of being carried by the server forever.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { openDatabase } from './database.ts';
import { applyMigrations } from './migrations.ts';

export function applyMigrationsInWorker(databaseUrl: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const script = import.meta.url;
    // Run from TypeScript source, the worker registers tsx's loader before it reads this file.
    const worker = script.endsWith('.ts')
      ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(script)}); })`, {
          eval: true,
          workerData: { databaseUrl },
        })
      : new Worker(new URL(script), { workerData: { databaseUrl } });
    let applied: string[] | null = null;
    worker.once('message', (message: { applied?: string[]; error?: string }) => {
      if (message.applied) applied = message.applied;
      else reject(new Error(message.error ?? 'migrations failed'));
      // The schema engine leaves timers behind that would keep the thread alive for seconds more;
      // its work, and closing its connections, is done when it answers.
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => (applied ? resolve(applied) : reject(new Error(`the migration worker exited with code ${code}`))));
  });
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const database = await openDatabase({ url: (workerData as { databaseUrl: string }).databaseUrl, poolSize: 1 });
  let result: { applied: string[] } | { error: string };
  try {
    result = { applied: await applyMigrations(database.adapterFactory) };
  } catch (error) {
    result = { error: (error as Error).message };
  } finally {
    await database.close();
  }
  port.postMessage(result);
}
