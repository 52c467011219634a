// npm run env:example writes .env.example from docs/configuration.md's table; npm run env:check (CI)
// fails when the file is stale, when the table and the server's schema (src/config.ts) do not name
// the same variables, or when a default the table gives is not the schema's.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { ENVIRONMENT_VARIABLES, environmentDefaults, FORMER_NAMES } from '../src/config.ts';

const DOCS = 'docs/configuration.md';
const TARGET = '.env.example';
const WIDTH = 100;

interface Documented {
  name: string;
  /** The default's cell: a value in backticks, or words (`none`, "generated per start in development"). */
  defaultCell: string;
  meaning: string;
}

const plain = (markdown: string) => markdown.replace(/\[([^\]]+)\]\([^)]+\)/g, '$1').replace(/`/g, '');

function documentedVariables(): Documented[] {
  const rows = readFileSync(DOCS, 'utf8').matchAll(/^\| `([A-Z0-9_]+)` +\| (.+?) +\| (.+?) +\|$/gm);
  return [...rows].map(([, name = '', defaultCell = '', meaning = '']) => ({ name, defaultCell, meaning: plain(meaning) }));
}

/** The value of a default written as one value in backticks; undefined for words or a pattern (`http://localhost:<PORT>`). */
const documentedValue = (cell: string) => /^`([^`<>]*)`$/.exec(cell)?.[1];

function wrapped(text: string): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(/\s+/)) {
    if (line.length + word.length + 1 > WIDTH && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  return [...lines, line];
}

function example(variables: Documented[]): string {
  const header = [
    '# Every variable Connect reads, with its default (docs/configuration.md says more). Copy this file',
    '# to .env and uncomment what you change: the server reads .env at start, and a variable set in the',
    '# environment wins over the file. Written by `npm run env:example` from docs/configuration.md.',
  ];
  const entries = variables.map(({ name, defaultCell, meaning }) => {
    const value = documentedValue(defaultCell);
    const defaultNote = value === undefined && defaultCell !== 'none' ? ` Default: ${plain(defaultCell).replace(/\.$/, '')}.` : '';
    return [...wrapped(`${meaning}${defaultNote}`), `# ${name}=${value ?? ''}`].join('\n');
  });
  return `${[header.join('\n'), ...entries].join('\n\n')}\n`;
}

function disagreements(variables: Documented[]): string[] {
  const documented = new Set(variables.map(({ name }) => name));
  const read = ENVIRONMENT_VARIABLES.filter((name) => !(name in FORMER_NAMES));
  const defaults = environmentDefaults();
  return [
    ...read.filter((name) => !documented.has(name)).map((name) => `${name}: read by src/config.ts, missing from ${DOCS}`),
    ...[...documented].filter((name) => !read.includes(name)).map((name) => `${name}: in ${DOCS}, not read by src/config.ts`),
    ...variables.flatMap(({ name, defaultCell }) => {
      const value = documentedValue(defaultCell);
      return value !== undefined && defaults[name] !== undefined && value !== defaults[name]
        ? [`${name}: ${DOCS} says the default is ${value}, src/config.ts ${defaults[name]}`]
        : [];
    }),
  ];
}

const variables = documentedVariables();
const problems = disagreements(variables);
const expected = example(variables);
const checking = process.argv.includes('--check');
if (checking && (existsSync(TARGET) ? readFileSync(TARGET, 'utf8') : '') !== expected) {
  problems.push(`${TARGET} is stale: run npm run env:example`);
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
if (checking) {
  console.log(`${TARGET}, ${DOCS} and src/config.ts agree on ${variables.length} variables`);
} else {
  writeFileSync(TARGET, expected);
  console.log(`wrote ${TARGET}: ${variables.length} variables`);
}
