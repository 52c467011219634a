// `npm run lint:layers` on a tree of its own: every way of writing an upward import is caught, the
// forms the first version, which read them with a regular expression, let through included (double
// quotes, a template literal in `import()`, a comment that looked like the start of a block comment).
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const checker = path.resolve('scripts/check-layers.ts');
const tsx = path.resolve('node_modules/.bin/tsx');

/** Runs the checker in a tree holding `files`; returns its exit code and what it printed. */
async function checkTree(files: Record<string, string>) {
  const root = await mkdtemp(path.join(tmpdir(), 'layers-'));
  try {
    for (const [name, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(root, name)), { recursive: true });
      await writeFile(path.join(root, name), content);
    }
    const { stdout, stderr } = await run(tsx, [checker], { cwd: root });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const actor = { 'src/auth/actor.ts': 'export const actor = 1;\n' };

describe('the layering check', () => {
  it('passes a tree whose imports only go down', async () => {
    const result = await checkTree({
      ...actor,
      'src/http/route.ts': "import { actor } from '../auth/actor.ts';\nexport const route = actor;\n",
    });
    expect(result).toMatchObject({ code: 0, output: expect.stringMatching(/layering holds: 2 files, 1 relative imports/) });
  });

  // One tree holds every form, a file each, and the checker runs once over it.
  const forms: [form: string, source: string][] = [
    ['single quotes', "import { actor } from '../auth/actor.ts';"],
    ['double quotes', 'import { actor } from "../auth/actor.ts";'],
    ['a type-only import', "import type { actor } from '../auth/actor.ts';"],
    ['a re-export', "export { actor } from '../auth/actor.ts';"],
    ['a bare import', "import '../auth/actor.ts';"],
    ['an import() with quotes', "export const later = () => import('../auth/actor.ts');"],
    ['an import() with a template literal', 'export const later = () => import(`../auth/actor.ts`);'],
    ['an import split over lines', "import {\n  actor,\n} from\n  '../auth/actor.ts';"],
    // The first version removed comments with a regular expression: `providers/*.ts` in a line comment
    // opened a block comment that ran to the next `*/`, and src/connections/verification.ts's six
    // imports went unchecked.
    ['a file whose comment names a glob', "// one per file: providers/*.ts\nimport { actor } from '../auth/actor.ts';\n/** Its clock. */"],
  ];
  const everyForm = Object.fromEntries(forms.map(([, line], index) => [`src/core/form-${index}.ts`, `${line}\nexport const form = 1;\n`]));
  let checked: Promise<{ code: number; output: string }> | undefined;

  it.each(forms.map(([form], index) => [form, index] as const))('fails an upward import written as %s', async (_form, index) => {
    checked ??= checkTree({ ...actor, ...everyForm });
    const result = await checked;
    expect(result.code).toBe(1);
    expect(result.output).toContain(`src/core/form-${index}.ts → src/auth/actor.ts: foundations may not import from who-is-asking`);
  });

  it('fails an import() whose specifier is computed, which it cannot follow', async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the file's source holds a template literal.
    const result = await checkTree({ 'src/core/plugins.ts': 'export const load = (name: string) => import(`./${name}.ts`);\n' });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(
      /src\/core\/plugins\.ts: import\(`\.\/\$\{name\}\.ts`\): an import of a computed specifier cannot be checked/,
    );
  });

  it('fails a cycle and a file in no layer', async () => {
    const result = await checkTree({
      'src/auth/a.ts': "import { b } from './b.ts';\nexport const a = b;\n",
      'src/auth/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n",
      'src/misc/loose.ts': 'export const loose = 1;\n',
    });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/cycle: src\/auth\/a\.ts → src\/auth\/b\.ts → src\/auth\/a\.ts/);
    expect(result.output).toContain('src/misc/loose.ts: in no layer');
  });
});
