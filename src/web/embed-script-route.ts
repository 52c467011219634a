// /embed/v1/connect.js: the embedded components' bundle (embed/, bundled into dist/embed/ by
// scripts/build-embed.mjs) and its sourcemap. Public code that any platform's page loads as a module
// script, so any origin may (CORS `*`). The URL stays the same across upgrades, so the cache is short
// and revalidated by ETag: a fixed component reaches pages within minutes, at the cost of a 304.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { PageRoute } from './page-routes.ts';

/** dist/embed/ at the repository's root, from src/web/ (tests, tsx) and dist/web/ (npm start) alike. */
const BUNDLE_DIRECTORY = new URL('../../dist/embed/', import.meta.url);
const CACHE_CONTROL = 'public, max-age=300, stale-while-revalidate=86400';

interface LoadedFile {
  modifiedMs: number;
  /** Both files are UTF-8 text. */
  body: string;
  etag: string;
}

/** Each file read once, and again when a new build replaced it (the server keeps running across `npm run build`). */
function bundleFile(name: string) {
  const location = new URL(name, BUNDLE_DIRECTORY);
  let loaded: LoadedFile | null = null;
  return async (): Promise<LoadedFile | null> => {
    const modifiedMs = await stat(location).then(
      (stats) => stats.mtimeMs,
      () => null,
    );
    if (modifiedMs === null) return null;
    if (loaded?.modifiedMs !== modifiedMs) {
      const body = await readFile(location, 'utf8');
      loaded = { modifiedMs, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    }
    return loaded;
  };
}

function bundleRoute(name: string, contentType: string): PageRoute {
  const read = bundleFile(name);
  return {
    method: 'GET',
    path: new RegExp(`^/embed/v1/${name.replaceAll('.', '\\.')}$`),
    anyOrigin: true,
    handle: async (request) => {
      const file = await read();
      if (!file) {
        return new Response(`${name} is not built: run npm run build (scripts/build-embed.mjs).\n`, {
          status: 404,
          headers: { 'content-type': 'text/plain; charset=utf-8' },
        });
      }
      const headers = { etag: file.etag, 'cache-control': CACHE_CONTROL, 'x-content-type-options': 'nosniff' };
      if (request.headers.get('if-none-match') === file.etag) return new Response(null, { status: 304, headers });
      return new Response(file.body, { headers: { ...headers, 'content-type': contentType } });
    },
  };
}

export const embedScriptRoutes = (): PageRoute[] => [
  bundleRoute('connect.js', 'text/javascript; charset=utf-8'),
  bundleRoute('connect.js.map', 'application/json; charset=utf-8'),
];
