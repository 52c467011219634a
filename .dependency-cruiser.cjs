// The layering of src/, checked in CI (`npm run lint:layers`). A module may import from its own
// layer and the layers listed before it, never from a later one. docs/architecture.md explains
// each layer; a new folder under src/ must be given a layer here, or the check fails.
/** @type {[name: string, path: string][]} */
const layers = [
  ['foundations', '^src/(generated|core|crypto)/|^src/config[.]ts$'],
  ['database', '^src/db/'],
  ['who-is-asking', '^src/auth/'],
  ['http-transport', '^src/http/'],
  ['graphql-kit', '^src/graphql/'],
  ['features', '^src/(connect|organizations|api-keys|sub-accounts|connections|email)/'],
  ['web-pages', '^src/web/'],
  ['composition', '^src/(app|server|schema|deployment-checks)[.]ts$'],
];

const upwardImports = layers.slice(0, -1).map(([name, path], index) => ({
  name: `no-upward-import-from-${name}`,
  comment: `${name} may not import from ${layers.slice(index + 1).map(([later]) => later).join(', ')}`,
  severity: 'error',
  from: { path },
  to: { path: layers.slice(index + 1).map(([, later]) => later).join('|') },
}));

module.exports = {
  forbidden: [
    ...upwardImports,
    {
      name: 'every-module-has-a-layer',
      comment: 'A file under src/ outside every layer: give its folder a layer in .dependency-cruiser.cjs.',
      severity: 'error',
      from: { path: '^src/', pathNot: layers.map(([, path]) => path).join('|') },
      to: {},
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'src-stands-alone',
      comment: 'The server never imports tests, scripts or examples.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|scripts|examples)/' },
    },
    {
      name: 'test-support-stands-alone',
      comment: 'Test support reaches the server through src/, never through scripts/.',
      severity: 'error',
      from: { path: '^test/' },
      to: { path: '^scripts/' },
    },
    {
      name: 'examples-use-the-api-only',
      comment: 'An example is what a client would write: it talks HTTP, and imports nothing of the server.',
      severity: 'error',
      from: { path: '^examples/' },
      to: { path: '^(src|test|scripts)/' },
    },
  ],
  options: {
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/generated/' },
    moduleSystems: ['es6'],
  },
};
