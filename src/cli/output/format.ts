// --format as the Docker CLI reads it (docker/cli cli/command/formatter): `table` (the
// command's own layout, the default), `json` (one JSON object per line), `table TEMPLATE`
// (a table whose headers come from the fields' names) and `TEMPLATE`, a subset of Go's
// text/template: {{.Field}}, {{.}}, {{json .}}, {{json .Field}}, {{.Field | upper}},
// {{lower .Field}}, with `\t` and `\n` written as two characters. Fields are the table's
// values as shown (sizes as "31.1kB", dates as "2 days ago"); json gives the raw data.
import { UsageError } from '../../errors.ts';

const FUNCTIONS = ['json', 'upper', 'lower'] as const;
type Fn = (typeof FUNCTIONS)[number];

/** Literal text, or a value: a field (undefined: the whole row) through functions. */
export type Part = { text: string } | { field: string | undefined; fns: Fn[] };

export type OutputMode = { kind: 'default' } | { kind: 'json' } | { kind: 'template'; table: boolean; parts: Part[] };

const SUPPORTED = '{{.Field}}, {{json .}}, {{json .Field}}, {{.Field | upper}} or {{.Field | lower}}';

function bad(message: string): UsageError {
  return new UsageError(`--format: ${message}`);
}

function toFn(word: string, source: string): Fn {
  if ((FUNCTIONS as readonly string[]).includes(word)) return word as Fn;
  if (/^[a-z][A-Za-z0-9]*$/.test(word)) throw bad(`function "${word}" is not supported: use ${FUNCTIONS.join(', ')}`);
  throw bad(`"{{${source}}}" is not supported: use ${SUPPORTED}`);
}

/** One action: `ARG` or `FN ARG`, then `| FN` stages; ARG is `.` or `.Field`. */
function parseAction(source: string): Part {
  const [first = [], ...later] = source.split('|').map((s) => s.trim().split(/\s+/).filter(Boolean));
  const arg = first.at(-1) ?? '';
  if (!arg.startsWith('.')) {
    if (first.length === 1) toFn(arg, source); // a known function without a field, or an unknown one
    throw bad(`"{{${source}}}" names no field: use ${SUPPORTED}`);
  }
  if (arg !== '.' && !/^\.[A-Za-z_][A-Za-z0-9_]*$/.test(arg)) throw bad(`"${arg}" is not a field: use .Field (one level)`);
  const fns = [...first.slice(0, -1), ...later.flat()].map((w) => toFn(w, source));
  if (first.length > 2 || later.some((words) => words.length !== 1)) throw bad(`"{{${source}}}" is not supported: use ${SUPPORTED}`);
  return { field: arg === '.' ? undefined : arg.slice(1), fns };
}

/** The parts of a template: text between actions, and the actions. */
export function parseTemplate(template: string): Part[] {
  const parts: Part[] = [];
  let rest = template;
  let trimNext = false;
  while (rest.length > 0) {
    const open = rest.indexOf('{{');
    let text = open === -1 ? rest : rest.slice(0, open);
    if (trimNext) text = text.trimStart();
    if (open === -1) {
      if (text) parts.push({ text });
      break;
    }
    const close = rest.indexOf('}}', open + 2);
    if (close === -1) throw bad(`unclosed action in "${template}": close it with }}`);
    let inner = rest.slice(open + 2, close);
    if (inner.startsWith('- ')) {
      text = text.trimEnd();
      inner = inner.slice(2);
    }
    trimNext = inner.endsWith(' -');
    if (trimNext) inner = inner.slice(0, -2);
    if (text) parts.push({ text });
    parts.push(parseAction(inner.trim()));
    rest = rest.slice(close + 2);
  }
  return parts;
}

/** What --format asks for; a template is parsed (its syntax checked) here. */
export function outputMode(format: string): OutputMode {
  const trimmed = format.trim();
  if (trimmed === '' || trimmed === 'table') return { kind: 'default' };
  if (trimmed === 'json') return { kind: 'json' };
  const table = trimmed.startsWith('table');
  const body = (table ? trimmed.slice('table'.length) : format).trim().replaceAll('\\t', '\t').replaceAll('\\n', '\n');
  if (table && body === '') return { kind: 'default' };
  return { kind: 'template', table, parts: parseTemplate(body) };
}

/** The fields a template names, in order, each once. */
export function fieldsUsed(parts: readonly Part[]): string[] {
  const names = parts.flatMap((p) => ('field' in p && p.field !== undefined ? [p.field] : []));
  return [...new Set(names)];
}

/** Refuses a field the command does not have, naming those it has. */
export function checkFields(mode: OutputMode, available: readonly string[], command: string): void {
  if (mode.kind !== 'template') return;
  if (available.length === 0) throw bad(`'${command}' prints no fields: use table or json`);
  const unknown = fieldsUsed(mode.parts).find((f) => !available.includes(f));
  if (unknown !== undefined) {
    throw bad(`unknown field .${unknown} for '${command}': use ${available.map((f) => `.${f}`).join(' ')}`);
  }
}

function apply(fn: Fn, value: unknown): unknown {
  if (fn === 'json') return JSON.stringify(value);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return fn === 'upper' ? text.toUpperCase() : text.toLowerCase();
}

/** One row through the template; `row` maps field names to their values as shown. */
export function renderRow(parts: readonly Part[], row: Readonly<Record<string, string>>): string {
  return parts
    .map((p) => {
      if ('text' in p) return p.text;
      let value: unknown = p.field === undefined ? row : row[p.field];
      for (const fn of p.fns) value = apply(fn, value);
      return typeof value === 'string' ? value : JSON.stringify(value);
    })
    .join('');
}

/** The header line of `table TEMPLATE`: each value replaced by its field's header, functions ignored (as Docker's HeaderFunctions). */
export function renderHeader(parts: readonly Part[], headers: Readonly<Record<string, string>>): string {
  return parts.map((p) => ('text' in p ? p.text : p.field === undefined ? '' : (headers[p.field] ?? p.field))).join('');
}
