// Node.js binaries of other release lines, from the npm registry: its `node` package carries the
// official binary (node@22 is Node 22's latest release). npm keeps it in its cache, so only the first
// call of a major downloads it. Used by the bench (PostGraphile needs Node 22) and mirrored by
// scripts/smoke-node.sh (the CI smoke run on Node 24).
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';

const fetched = new Map<number, string>();

/** The path of a `node` binary of this major version: this process's own when it is that major already. */
export function nodeFromNpm(major: number): string {
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath;
  const known = fetched.get(major);
  if (known) return known;
  // Run from a temporary folder: in the project, npm exec would prefer a `node` bin of its own node_modules.
  const output = execFileSync('npm', ['exec', '--yes', `--package=node@${major}`, '--', 'node', '-p', 'process.execPath'], {
    cwd: tmpdir(),
    encoding: 'utf8',
  });
  const binary = output.trim().split('\n').at(-1);
  if (!binary) throw new Error(`npm exec --package=node@${major} printed no path`);
  fetched.set(major, binary);
  return binary;
}
