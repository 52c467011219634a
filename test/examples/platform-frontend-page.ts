// The platform frontend example as a platform would run it: its backend minting sessions with the
// platform's key, and its page built by Vite against the test's Connect server and served by
// `vite preview`, which passes POST /session on to the backend (examples/platform-frontend/).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build, preview } from 'vite';
import { startPlatformBackend } from '../../examples/platform-frontend/backend/platform-backend.ts';
import { freePort } from '../support/server-process.ts';

const EXAMPLE = 'examples/platform-frontend';

export async function startPlatformFrontend(options: { connectUrl: string; apiKey: string; customerEmail: string }) {
  const { connectUrl } = options;
  const backend = await startPlatformBackend(options);
  const outDir = await mkdtemp(path.join(tmpdir(), 'platform-frontend-'));
  const configFile = path.join(EXAMPLE, 'vite.config.ts');
  const started = performance.now();
  await build({ configFile, logLevel: 'warn', define: { CONNECT_URL: JSON.stringify(connectUrl) }, build: { outDir, emptyOutDir: true } });
  const buildMs = performance.now() - started;
  const port = await freePort();
  const server = await preview({
    configFile,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port, strictPort: true, proxy: { '/session': backend.url } },
  });
  return {
    /** The page's origin, which the platform must allow for its sessions. */
    url: `http://127.0.0.1:${port}`,
    backend,
    buildMs,
    close: async () => {
      await new Promise<void>((resolve, reject) => server.httpServer.close((error) => (error ? reject(error) : resolve())));
      await backend.close();
      await rm(outDir, { recursive: true, force: true });
    },
  };
}

export type PlatformFrontend = Awaited<ReturnType<typeof startPlatformFrontend>>;
