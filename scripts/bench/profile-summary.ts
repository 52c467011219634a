// Where the time goes in a V8 CPU profile (node --cpu-prof): self time grouped by package (or our
// own files), then the hottest functions. Usage: tsx scripts/bench/profile-summary.ts <file.cpuprofile>
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const profile = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Profile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map<number, number>();
profile.samples.forEach((id, index) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
const total = [...selfMicros.values()].reduce((sum, value) => sum + value, 0);

function area(url: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1]!;
  if (url.includes('/src/')) return `ours: ${url.slice(url.indexOf('/src/') + 1)}`;
  return url ? 'node internals' : '(native/gc/idle)';
}

const byArea = new Map<string, number>();
const byFunction = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const frame = nodes.get(id)!.callFrame;
  byArea.set(area(frame.url), (byArea.get(area(frame.url)) ?? 0) + micros);
  const name = `${frame.functionName || '(anonymous)'} ${area(frame.url)}:${frame.lineNumber}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
}
const top = (map: Map<string, number>, count: number) =>
  [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, count).map(([name, micros]) => `${((micros / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
console.log(`total ${(total / 1e6).toFixed(1)} s sampled\n\nby package:\n${top(byArea, 15).join('\n')}\n\nhottest functions:\n${top(byFunction, 20).join('\n')}`);
