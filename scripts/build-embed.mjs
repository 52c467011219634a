// Bundles the embedded components (embed/) into dist/embed/connect.js, the one minified ES module
// the server serves at /embed/v1/connect.js, with its sourcemap; only when embed/ or the bundler's
// dependencies changed since the last bundle (source-fingerprint.mjs). Run by `npm run build`, so by
// `npm install`, `npm start` and the tests' global setup. `--force` bundles even when up to date.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { filesUnder, fingerprintOf } from './source-fingerprint.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sources = path.join(root, 'embed');
const output = path.join(root, 'dist', 'embed');
const bundle = path.join(output, 'connect.js');
const stamp = path.join(output, '.sources-sha256');

// The components' typed documents come from `npm run codegen` (git-ignored, like the tests'): a clone
// whose install skipped it still bundles.
if (!existsSync(path.join(sources, 'generated', 'graphql.ts'))) {
  process.stderr.write('Generating the typed documents (embed/generated/ is missing)\n');
  const codegen = spawnSync('npm', ['run', '-s', 'codegen'], { cwd: root, stdio: 'inherit' });
  if (codegen.status !== 0) process.exit(codegen.status ?? 1);
}

// The lock file stands for the versions of the bundler, Lit and Lit's own packages.
const wanted = fingerprintOf(root, [...filesUnder(sources), path.join(root, 'package-lock.json')]);
const built = existsSync(stamp) && existsSync(bundle) ? readFileSync(stamp, 'utf8') : null;
if (built !== wanted || process.argv.includes('--force')) {
  const started = performance.now();
  process.stderr.write('Bundling embed/ to dist/embed/connect.js (the components changed since the last bundle)\n');
  const { build } = await import('esbuild');
  mkdirSync(output, { recursive: true });
  rmSync(stamp, { force: true });
  try {
    await build({
      entryPoints: [path.join(sources, 'connect.ts')],
      outfile: bundle,
      bundle: true,
      format: 'esm',
      minify: true,
      sourcemap: 'linked',
      // The browsers of the last few years: native classes, private fields, optional chaining.
      target: ['es2022', 'chrome111', 'firefox111', 'safari16'],
      tsconfig: path.join(sources, 'tsconfig.json'),
      logLevel: 'warning',
    });
  } catch {
    process.stderr.write('The components did not bundle (see above); dist/embed/ is left without a stamp.\n');
    process.exit(1);
  }
  writeFileSync(stamp, wanted);
  const gzipped = gzipSync(readFileSync(bundle)).length;
  process.stderr.write(
    `Bundled in ${((performance.now() - started) / 1000).toFixed(1)} s: ${(statSync(bundle).size / 1024).toFixed(1)} KiB, ${(gzipped / 1024).toFixed(1)} KiB gzipped\n`,
  );
}
