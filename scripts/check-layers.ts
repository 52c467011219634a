// npm run lint:layers (CI): the layering of src/ (docs/architecture.md). A module imports from its
// own layer and the layers listed before it, never from a later one; a file under src/ outside
// every layer fails; no import cycle; the server never imports tests, scripts or examples; tests
// never import scripts; examples import nothing of the server.
//
// dependency-cruiser would do this, but with TypeScript 7 (no compiler API) it parses through
// @swc/core, whose per-platform packages the registry here does not all serve, so `npm ci` fails on
// the lock file. Our imports are plain ES module syntax, which this reads.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const layers: [name: string, pattern: RegExp][] = [
  ['foundations', /^src\/(generated|core|crypto|net)\/|^src\/config\.ts$/],
  ['database', /^src\/db\//],
  ['who-is-asking', /^src\/auth\//],
  ['http-transport', /^src\/http\//],
  ['graphql-kit', /^src\/graphql\//],
  ['features', /^src\/(connect|organizations|api-keys|sub-accounts|connections|email|events|webhooks)\//],
  ['web-pages', /^src\/web\//],
  ['composition', /^src\/(app|server|cluster|schema|deployment-checks)\.ts$/],
];

const forbiddenTargets: [from: RegExp, to: RegExp, rule: string][] = [
  [/^src\//, /^(test|scripts|examples)\//, 'the server never imports tests, scripts or examples'],
  [/^test\//, /^scripts\//, 'test support reaches the server through src/, never through scripts/'],
  [/^examples\//, /^(src|test|scripts)\//, 'an example is what a client writes: it imports nothing of the server'],
];

interface Import {
  target: string;
  typeOnly: boolean;
}

/** `import … from './x.ts'`, `export … from`, `import './x.ts'`, `import('./x.ts')`: relative ones, comments removed. */
function importsOf(file: string): Import[] {
  const source = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  const found: Import[] = [];
  const statement =
    /\b(import|export)(\s+type)?\b[^;'"]*?\bfrom\s*'(\.{1,2}\/[^']+)'|\bimport\s*'(\.{1,2}\/[^']+)'|\bimport\(\s*'(\.{1,2}\/[^']+)'\s*\)/g;
  for (const match of source.matchAll(statement)) {
    const specifier = match[3] ?? match[4] ?? match[5];
    if (specifier) found.push({ target: path.normalize(path.join(path.dirname(file), specifier)), typeOnly: match[2] !== undefined });
  }
  return found;
}

const layerOf = (file: string) => layers.findIndex(([, pattern]) => pattern.test(file));

const files = ['src', 'test', 'scripts', 'examples']
  .filter((root) => existsSync(root))
  .flatMap((root) => readdirSync(root, { recursive: true, encoding: 'utf8' }).map((name) => path.join(root, name)))
  .filter((file) => file.endsWith('.ts') && !file.split(path.sep).some((part) => part === 'generated' || part === 'node_modules'));
const graph = new Map(files.map((file) => [file, importsOf(file)]));
const violations: string[] = [];

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
