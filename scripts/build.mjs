// Compiles src/ to dist/ (tsconfig.build.json) when the sources differ from those of the last build;
// run by `npm install` and before every `npm start`, so a `git pull` is never served from a stale
// build. Plain JavaScript: it runs before anything is compiled, and without tsx's start-up cost.
// The sources are compared by content, not by date: a checkout, a copy or an archive can give an
// old file a new date or a new file an old one.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sources = path.join(root, 'src');
const output = path.join(root, 'dist');
const stamp = path.join(output, '.sources-sha256');
const require = createRequire(import.meta.url);

const filesUnder = (folder) =>
  readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));

/** Every input of the output: the sources, the compiler options and the compiler itself. */
function fingerprint() {
  const inputs = [
    ...filesUnder(sources),
    path.join(root, 'tsconfig.json'),
    path.join(root, 'tsconfig.build.json'),
    require.resolve('typescript/package.json'),
  ];
  const hash = createHash('sha256');
  for (const file of inputs.sort())
    hash
      .update(`${path.relative(root, file)}\0`)
      .update(readFileSync(file))
      .update('\0');
  return hash.digest('hex');
}

/** Compiled files whose source is gone (deleted or renamed): dist/ holds what src/ holds, no more. */
function removeOrphans() {
  for (const file of filesUnder(output)) {
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
