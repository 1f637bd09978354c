// The shape of src/, as docs/ARCHITECTURE.md states it: rooms that import only downwards,
// no cycles, thin commands, small files. Read from the sources as text (import lines),
// so it needs no build.
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

/** Top to bottom: a room may import the rooms after it, never those before it. */
export const ROOMS = [
  'cli',
  'ui',
  'gc',
  'cluster',
  'mirror',
  'storage',
  'server',
  'engine',
  'docker',
  'registry',
  'security',
  'aws',
] as const;
/** Rooms at the bottom that must not import one another either. */
const LEAVES = new Set(['registry', 'security', 'aws']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports of a file (static, type-only and dynamic), resolved to absolute paths. */
export function importsOf(file: string, text = readFileSync(file, 'utf8')): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]+)\1/gm)) {
    found.push(resolve(dirname(file), m[2]!));
  }
  return found;
}

/** The room of a file under src/ ('' for src/errors.ts and other shared top-level files). */
function roomOf(file: string): string {
  const parts = relative(src, file).split('/');
  return parts.length > 1 ? parts[0]! : '';
}

const files = sourceFiles(src);
const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => t.startsWith(src + '/'))]));
const rel = (f: string): string => relative(root, f);

test('every src file is in a known room (or shared at the top of src/)', (t) => {
  const unknown = files.filter((f) => roomOf(f) !== '' && !(ROOMS as readonly string[]).includes(roomOf(f)));
  t.deepEqual(unknown.map(rel), []);
});

test('rooms import only downwards: registry, security and aws import no other room; nothing outside cli imports cli', (t) => {
  const broken: string[] = [];
  for (const [file, targets] of graph) {
    const from = roomOf(file);
    for (const target of targets) {
      const to = roomOf(target);
      if (from === '' || to === '' || from === to) continue;
      const up = ROOMS.indexOf(to as (typeof ROOMS)[number]) < ROOMS.indexOf(from as (typeof ROOMS)[number]);
      const sideways = LEAVES.has(from) && LEAVES.has(to);
      if (up || sideways || to === 'cli') broken.push(`${rel(file)} imports ${rel(target)}`);
    }
  }
  t.deepEqual(broken, []);
});

test('src/errors.ts and other shared files import no room', (t) => {
  const broken = [...graph]
    .filter(([f]) => roomOf(f) === '')
    .flatMap(([f, ts]) => ts.filter((x) => roomOf(x) !== '').map((x) => `${rel(f)} imports ${rel(x)}`));
  t.deepEqual(broken, []);
});

/** Every cycle's files, found by depth-first search over the import graph. */
export function findCycles(g: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of g.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push(stack.slice(stack.indexOf(next)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of g.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

test('no import cycles', (t) => {
  t.deepEqual(
    findCycles(graph).map((c) => c.map(rel).join(' -> ')),
    [],
  );
});

test('the cycle finder finds a cycle (the check above can fail)', (t) => {
  t.deepEqual(
    findCycles(
      new Map([
        ['a', ['b']],
        ['b', ['c']],
        ['c', ['a']],
        ['d', ['a']],
      ]),
    ),
    [['a', 'b', 'c']],
  );
  t.deepEqual(
    findCycles(
      new Map([
        ['a', ['b']],
        ['b', []],
      ]),
    ),
    [],
  );
});

test('the import reader sees static, type-only, side-effect and dynamic imports', (t) => {
  const text =
    "import a from './a.ts';\nimport type { B } from '../b.ts';\nimport './c.ts';\nconst d = await import('./d.ts');\nimport x from 'yargs';\n";
  t.deepEqual(importsOf('/r/src/x/f.ts', text), ['/r/src/x/a.ts', '/r/src/b.ts', '/r/src/x/c.ts', '/r/src/x/d.ts']);
});

test('no command file imports another command', (t) => {
  const commandsDir = join(src, 'cli', 'commands');
  const broken = [...graph]
    .filter(([f]) => f.startsWith(commandsDir + '/') && !f.endsWith('/index.ts'))
    .flatMap(([f, ts]) => ts.filter((x) => x.startsWith(commandsDir + '/')).map((x) => `${rel(f)} imports ${rel(x)}`));
  t.deepEqual(broken, []);
});

const lineCount = (f: string): number => readFileSync(f, 'utf8').trimEnd().split('\n').length;

/**
 * A command file's code: its lines but the command's row of the table (the plain data from
 * `defineCommand({` to its `run:`: flags, help and README text), which is the table, not logic.
 */
function commandCodeLines(f: string): number {
  const lines = readFileSync(f, 'utf8').trimEnd().split('\n');
  const start = lines.findIndex((l) => l.includes('defineCommand'));
  const run = lines.findIndex((l, i) => i > start && /^\s+run[:(]/.test(l));
  return start >= 0 && run > start ? lines.length - (run - start) : lines.length;
}

test('no command file over 60 lines of code (its row of the command table aside)', (t) => {
  const commandsDir = join(src, 'cli', 'commands');
  t.deepEqual(
    files
      .filter((f) => f.startsWith(commandsDir + '/') && commandCodeLines(f) > 60)
      .map((f) => `${rel(f)}: ${commandCodeLines(f)} lines of code`),
    [],
  );
});

test('no src file over 300 lines', (t) => {
  t.deepEqual(
    files.filter((f) => lineCount(f) > 300).map((f) => `${rel(f)}: ${lineCount(f)} lines`),
    [],
  );
});

test('outside JSON is read in one way: nothing but src/json-shape.ts calls JSON.parse (the page, which runs in the browser, aside)', (t) => {
  const page = join(src, 'ui', 'page');
  const callers = files.filter(
    (f) => !f.startsWith(page + '/') && f !== join(src, 'json-shape.ts') && /\bJSON\.parse\(/.test(readFileSync(f, 'utf8')),
  );
  t.deepEqual(callers.map(rel), []);
});
