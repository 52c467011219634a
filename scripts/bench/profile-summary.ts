// Where the time goes in a V8 CPU profile (node --cpu-prof) of the server under load.
// Usage: tsx scripts/bench/profile-summary.ts <file.cpuprofile> [--last <seconds>] [--requests <n>]
// --last keeps only the profile's final seconds (the measured run, not the start and the seeding);
// --layer <text> narrows the package and function tables to the layers whose name contains it;
// --requests divides the busy time by the requests served in that window, for µs per request;
// TOP=<n> in the environment prints the n hottest functions (default 20).
// Prints each layer's share (a sample belongs to the innermost layer on its stack, so a plugin's
// share includes the libraries it calls, and Prisma's includes the pg socket writes it makes),
// then self time by package and the hottest functions.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A file of ours, run through tsx (`src/`) or compiled (`dist/`); never a package's own `dist/`. */
const own = (url: string, path = '') => !url.includes('/node_modules/') && new RegExp(`/(src|dist)/${path}`).test(url);

/** The layers of a request, tested on each frame in this order; the first frame up the stack that matches names the layer. */
const LAYERS: [layer: string, matches: (url: string, name: string) => boolean][] = [
  ['serialization (JSON of the result)', (url, name) => url.includes('graphql-yoga') && name.startsWith('jsonStringifyResult')],
  ['Prisma: client, query plan, result mapping', (url) => url.includes('@prisma/client') || own(url, 'generated/prisma')],
  [
    'Prisma: driver adapter and pg',
    (url) => /@prisma\/adapter-pg|@prisma\/driver-adapter-utils|node_modules\/(pg|pg-protocol|pg-pool|pg-types)\//.test(url),
  ],
  ['context: confined client (tenant-scope)', (url) => own(url, 'db/(tenant-scope|confinement-rules)')],
  ['plugin: caller cache sync', (url) => own(url, 'auth/caller-caches')],
  ['plugin: client address', (url) => own(url, 'auth/client-address')],
  ['context: who is asking (src/auth)', (url) => own(url, '(auth|crypto)/')],
  ['context: factory', (url) => own(url, 'graphql/context')],
  ['plugin: metrics', (url) => own(url, 'http/metrics') || url.includes('prom-client')],
  ['plugin: request log', (url) => own(url, '(http/request-log|core/logger)') || url.includes('node_modules/pino')],
  ['plugin: limits and armor', (url) => own(url, 'http/limits') || url.includes('graphql-armor')],
  ['plugin: CSRF', (url) => url.includes('plugin-csrf-prevention')],
  ['plugin: error masking', (url) => own(url, 'graphql/mask-errors')],
  ['plugin: input scrubbing', (url) => own(url, 'http/scrub-input-values')],
  ['plugin: readiness', (url) => url.includes('use-readiness-check')],
  ['plugin: idempotency', (url) => own(url, 'http/idempotency')],
  ['plugin: live events', (url) => own(url, 'events/live')],
  ['plugin: body limit', (url) => own(url, 'http/(request-body|json-body)')],
  ['plugin: pages', (url) => own(url, 'web/')],
  ['parse and validate', (url) => /node_modules\/graphql\/(language|validation)/.test(url)],
  ['resolvers and scope rules (ours)', (url) => own(url)],
  ['Pothos', (url) => url.includes('@pothos/')],
  ['execution (executor, graphql-js)', (url) => /@graphql-tools\/executor|node_modules\/graphql\//.test(url)],
  ['yoga and envelop (plugin chain)', (url) => /graphql-yoga|@envelop\/|@graphql-tools\/utils/.test(url)],
  // Node's sockets and streams serve pg too: their time goes to whoever wrote (the response, or a query).
  [
    'HTTP adapter (whatwg-node, node:http)',
    (url) => /@whatwg-node\/(server|node-fetch|fetch)|urlpattern|node:_http|node:http\b|node:internal\/http/.test(url),
  ],
];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { last: { type: 'string' }, requests: { type: 'string' }, layer: { type: 'string' } },
});
const profile = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as Profile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parents = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);

// Sample times, to keep the last seconds only.
const times: number[] = [];
profile.timeDeltas.reduce((time, delta, index) => (times[index] = time + delta), 0);
const end = times.at(-1) ?? 0;
const from = values.last ? end - Number(values.last) * 1e6 : -Infinity;

function layerOf(id: number): string {
  const leaf = nodes.get(id)!.callFrame;
  if (leaf.functionName === '(idle)') return '(idle)';
  if (leaf.functionName === '(garbage collector)') return 'garbage collection';
  for (let current: number | undefined = id; current !== undefined; current = parents.get(current)) {
    const { url, functionName } = nodes.get(current)!.callFrame;
    const layer = LAYERS.find(([, matches]) => matches(url, functionName));
    if (layer) return layer[0];
  }
  return 'unattributed (microtask glue, timers, program)';
}

function area(url: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1]!;
  const ours = own(url) ? /\/(src|dist)\//.exec(url) : null;
  if (ours) return `ours: ${url.slice(ours.index + 1)}`;
  return url ? 'node internals' : '(native/gc/idle)';
}

const byLayer = new Map<string, number>();
const byArea = new Map<string, number>();
const byFunction = new Map<string, number>();
const add = (map: Map<string, number>, key: string, micros: number) => map.set(key, (map.get(key) ?? 0) + micros);
profile.samples.forEach((id, index) => {
  if (times[index]! < from) return;
  const micros = profile.timeDeltas[index] ?? 0;
  const frame = nodes.get(id)!.callFrame;
  const layer = layerOf(id);
  add(byLayer, layer, micros);
  // --layer <text>: the package and function tables cover only the layers whose name contains it.
  if (values.layer && !layer.includes(values.layer)) return;
  add(byArea, area(frame.url), micros);
  add(byFunction, `${frame.functionName || '(anonymous)'} ${area(frame.url)}:${frame.lineNumber}`, micros);
});
const total = [...byLayer.values()].reduce((sum, value) => sum + value, 0);
const busy = total - (byLayer.get('(idle)') ?? 0);
const requests = values.requests ? Number(values.requests) : 0;

const top = (map: Map<string, number>, count: number, of = total) =>
  [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, micros]) => `${((micros / of) * 100).toFixed(1).padStart(5)}%  ${name}`);
const layerRows = [...byLayer.entries()]
  .filter(([layer]) => layer !== '(idle)')
  .sort((a, b) => b[1] - a[1])
  .map(
    ([layer, micros]) => `| ${layer} | ${((micros / busy) * 100).toFixed(1)}% |${requests ? ` ${Math.round(micros / requests)} |` : ''}`,
  );
console.log(
  [
    `sampled ${(total / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s (${((busy / total) * 100).toFixed(0)}%)${requests ? `, ${Math.round(busy / requests)} µs of main-thread CPU per request` : ''}`,
    '',
    `| layer | share of busy time |${requests ? ' µs per request |' : ''}`,
    `| --- | --- |${requests ? ' --- |' : ''}`,
    ...layerRows,
    '',
    'self time by package:',
    ...top(byArea, 15),
    '',
    'hottest functions:',
    ...top(byFunction, Number(process.env.TOP ?? 20)),
  ].join('\n'),
);
