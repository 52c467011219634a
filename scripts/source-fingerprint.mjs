// What the build scripts (build.mjs, build-embed.mjs) compare to know whether their output is stale:
// a hash of their inputs' paths and contents. Contents, not dates: a checkout, a copy or an archive
// can give an old file a new date or a new file an old one. Plain JavaScript, like its callers.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const filesUnder = (folder) =>
  readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));

/** The sha256 of every file's path (relative to `root`) and contents, in a stable order. */
export function fingerprintOf(root, files) {
  const hash = createHash('sha256');
  for (const file of [...files].sort())
    hash
      .update(`${path.relative(root, file)}\0`)
      .update(readFileSync(file))
      .update('\0');
  return hash.digest('hex');
}
