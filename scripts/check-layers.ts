// npm run lint:layers (CI): the layering of src/ (docs/architecture.md). A module imports from its
// own layer and the layers listed before it, never from a later one; a file under src/ outside
// every layer fails; no import cycle; the server never imports tests, scripts or examples; tests
// never import scripts; examples import nothing of the server; the components (embed/) import
// nothing of the server either, nor does the server import them.
//
// dependency-cruiser would do this, but with TypeScript 7 (no compiler API) it parses through
// @swc/core, whose per-platform packages the registry here does not all serve, so `npm ci` fails on
// the lock file. Imports are read by es-module-lexer (what Vite reads them with), so every form counts:
// either quote, a template literal, `import()`, `export … from`, a bare `import '…'`. An `import()` of
// a computed specifier cannot be checked, and fails (but for an example page's run-time load of a
// script from another server, marked `@vite-ignore`).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { init, parse } from 'es-module-lexer';

const layers: [name: string, pattern: RegExp][] = [
  ['foundations', /^src\/(generated|core|crypto|net)\/|^src\/config\.ts$/],
  ['database', /^src\/db\//],
  ['who-is-asking', /^src\/auth\//],
  ['http-transport', /^src\/http\//],
  ['graphql-kit', /^src\/graphql\//],
  ['features', /^src\/(connect|organizations|api-keys|sub-accounts|connections|email|events|webhooks)\//],
  ['web-pages', /^src\/web\//],
  ['composition', /^src\/(app|server|cluster|schema|deployment-checks)\.ts$/],
  ['command-line', /^src\/cli\//],
];

const forbiddenTargets: [from: RegExp, to: RegExp, rule: string][] = [
  [
    /^src\//,
    /^(test|scripts|examples|embed)\//,
    'the server never imports tests, scripts, examples or the components (it serves their bundle)',
  ],
  [/^test\//, /^scripts\//, 'test support reaches the server through src/, never through scripts/'],
  [/^examples\//, /^(src|test|scripts)\//, 'an example is what a client writes: it imports nothing of the server'],
  [/^src\/cli\//, /^src\/(?!cli\/)/, 'the command line talks to the server over HTTP only: it imports nothing else of src/'],
  [
    /^embed\//,
    /^(src|test|scripts|examples)\//,
    'the components run in a browser: they import nothing of the server, tests, scripts or examples',
  ],
];

interface Import {
  target: string;
  typeOnly: boolean;
}

/** What es-module-lexer marks as an import: -1 static, -2 `import.meta`, an offset for `import()`. */
const IMPORT_META = -2;

/** The relative imports of `file`, and its `import()`s whose specifier is not a string. */
function importsOf(file: string): { imports: Import[]; computed: string[] } {
  const source = readFileSync(file, 'utf8');
  const imports: Import[] = [];
  const computed: string[] = [];
  for (const found of parse(source, file)[0]) {
    if (found.d === IMPORT_META) continue;
    if (found.n === undefined) {
      const statement = source.slice(found.ss, found.se);
      // A page of an example loading a script from another server at run time (connect.js): a URL,
      // never a module of this repository; Vite is told the same with `@vite-ignore`.
      if (!(file.startsWith('examples/') && statement.includes('@vite-ignore'))) computed.push(statement);
    } else if (/^\.{1,2}\//.test(found.n)) {
      const typeOnly = /^(import|export)\s+type\b/.test(source.slice(found.ss, found.se));
      imports.push({ target: path.normalize(path.join(path.dirname(file), found.n)), typeOnly });
    }
  }
  return { imports, computed };
}

const layerOf = (file: string) => layers.findIndex(([, pattern]) => pattern.test(file));

const files = ['src', 'test', 'scripts', 'examples', 'embed']
  .filter((root) => existsSync(root))
  .flatMap((root) => readdirSync(root, { recursive: true, encoding: 'utf8' }).map((name) => path.join(root, name)))
  .filter((file) => file.endsWith('.ts') && !file.split(path.sep).some((part) => part === 'generated' || part === 'node_modules'));
await init;
const read = new Map(files.map((file) => [file, importsOf(file)]));
const graph = new Map([...read].map(([file, { imports }]) => [file, imports]));
const violations: string[] = [...read].flatMap(([file, { computed }]) =>
  computed.map((statement) => `${file}: ${statement}: an import of a computed specifier cannot be checked`),
);

for (const [file, imports] of graph) {
  if (file.startsWith('src/') && layerOf(file) < 0)
    violations.push(`${file}: in no layer (give its folder one in scripts/check-layers.ts)`);
  for (const { target } of imports) {
    const from = layerOf(file);
    const to = layerOf(target);
    if (file.startsWith('src/') && to > from)
      violations.push(`${file} → ${target}: ${layers[from]?.[0]} may not import from ${layers[to]?.[0]}`);
    for (const [source, destination, rule] of forbiddenTargets) {
      if (source.test(file) && destination.test(target)) violations.push(`${file} → ${target}: ${rule}`);
    }
  }
}

// Cycles among src/ modules through value imports (a type-only import has no run-time order).
const state = new Map<string, 'visiting' | 'done'>();
function visit(file: string, trail: string[]) {
  if (state.get(file) === 'done') return;
  if (state.get(file) === 'visiting') {
    violations.push(`cycle: ${[...trail.slice(trail.indexOf(file)), file].join(' → ')}`);
    return;
  }
  state.set(file, 'visiting');
  for (const { target, typeOnly } of graph.get(file) ?? []) {
    if (!typeOnly && target.startsWith('src/') && graph.has(target)) visit(target, [...trail, file]);
  }
  state.set(file, 'done');
}
for (const file of graph.keys()) if (file.startsWith('src/')) visit(file, []);

if (violations.length > 0) {
  console.error(`${violations.length} layering violation(s):\n${violations.map((line) => `  ${line}`).join('\n')}`);
  process.exit(1);
}
console.log(
  `layering holds: ${graph.size} files, ${[...graph.values()].reduce((sum, imports) => sum + imports.length, 0)} relative imports`,
);
