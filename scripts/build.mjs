// Compiles src/ to dist/ (tsconfig.build.json) when the sources differ from those of the last build;
// run by `npm install` and before every `npm start`, so a `git pull` is never served from a stale
// build. Plain JavaScript: it runs before anything is compiled, and without tsx's start-up cost.
// The sources are compared by content, not by date (source-fingerprint.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { filesUnder, fingerprintOf } from './source-fingerprint.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sources = path.join(root, 'src');
const output = path.join(root, 'dist');
const stamp = path.join(output, '.sources-sha256');
const require = createRequire(import.meta.url);

/** Every input of the output: the sources, the compiler options and the compiler itself. */
function fingerprint() {
  return fingerprintOf(root, [
    ...filesUnder(sources),
    path.join(root, 'tsconfig.json'),
    path.join(root, 'tsconfig.build.json'),
    require.resolve('typescript/package.json'),
  ]);
}

/**
 * Compiled files whose source is gone (deleted or renamed): dist/ holds what src/ holds, no more,
 * besides the components' bundle in dist/embed/, which build-embed.mjs writes from embed/.
 */
function removeOrphans() {
  for (const file of filesUnder(output)) {
    if (file.startsWith(path.join(output, 'embed', path.sep))) continue;
    const compiled = /\.js(\.map)?$/.exec(file);
    if (compiled && !existsSync(path.join(sources, path.relative(output, `${file.slice(0, compiled.index)}.ts`)))) rmSync(file);
  }
}

const wanted = fingerprint();
const built = existsSync(stamp) ? readFileSync(stamp, 'utf8') : null;
if (built !== wanted) {
  const started = performance.now();
  process.stderr.write('Compiling src/ to dist/ (the sources changed since the last build)\n');
  const tscScript = path.join(path.dirname(require.resolve('typescript/package.json')), 'bin/tsc');
  const tsc = spawnSync(process.execPath, [tscScript, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (tsc.status !== 0) {
    rmSync(stamp, { force: true });
    process.stderr.write('The build failed (nothing was written: dist/ keeps the previous build); npm start stops here.\n');
    process.exit(tsc.status ?? 1);
  }
  removeOrphans();
  writeFileSync(stamp, wanted);
  process.stderr.write(`Compiled in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
