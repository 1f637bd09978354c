// --format as Docker reads it: the words table and json, `table TEMPLATE`, and a Go
// template subset; parsed, checked against a command's fields, and rendered over rows.
import test from 'ava';
import type { Context } from '../../../src/cli/context.ts';
import { checkFields, outputMode, parseTemplate, renderHeader, renderRow } from '../../../src/cli/output/format.ts';
import { printRows } from '../../../src/cli/output/print.ts';
import type { Column } from '../../../src/cli/output/table.ts';
import { UsageError } from '../../../src/errors.ts';

const row = { Repository: 'localhost:5001/app', Tag: 'v1', ID: '0123456789ab', Size: '31.1kB' };

function render(format: string): string {
  const mode = outputMode(format);
  if (mode.kind !== 'template') throw new Error(`not a template: ${format}`);
  return renderRow(mode.parts, row);
}

test('the words: table (and nothing) is the default layout, json is JSON lines, anything else a template', (t) => {
  t.deepEqual(outputMode('table'), { kind: 'default' });
  t.deepEqual(outputMode(''), { kind: 'default' });
  t.deepEqual(outputMode('  table  '), { kind: 'default' });
  t.deepEqual(outputMode('json'), { kind: 'json' });
  t.like(outputMode('{{.Tag}}'), { kind: 'template', table: false });
  t.like(outputMode('table {{.Tag}}'), { kind: 'template', table: true });
  t.like(outputMode('xml'), { kind: 'template', table: false, parts: [{ text: 'xml' }] });
});

test('{{.Field}}, {{json .Field}}, {{json .}}, {{.}}, upper and lower, piped or called', (t) => {
  t.is(render('{{.Repository}}:{{.Tag}}'), 'localhost:5001/app:v1');
  t.is(render('{{json .Tag}}'), '"v1"');
  t.is(render('{{ .Tag | json }}'), '"v1"');
  t.is(render('{{json .}}'), JSON.stringify(row));
  t.is(render('{{.}}'), JSON.stringify(row));
  t.is(render('{{.Tag | upper}}-{{lower .Repository}}'), 'V1-localhost:5001/app');
  t.is(render('{{json .Tag | upper}}'), '"V1"');
  t.is(render('{{- .Tag -}}  x'), 'v1x');
  t.is(render('a  {{- .Tag}}'), 'av1');
});

test('\\t and \\n as two characters are a tab and a newline', (t) => {
  t.is(render('{{.Tag}}\\t{{.ID}}\\n'), 'v1\t0123456789ab\n');
});

test("table TEMPLATE: the header line has each field's header, functions leave it alone, text stays", (t) => {
  const mode = outputMode('table {{.Repository}}:{{.Tag | upper}}\\t{{json .ID}}');
  if (mode.kind !== 'template') return t.fail();
  t.is(renderHeader(mode.parts, { Repository: 'REPOSITORY', Tag: 'TAG', ID: 'IMAGE ID' }), 'REPOSITORY:TAG\tIMAGE ID');
});

test('syntax Go has but this subset does not is a usage error saying what is supported', (t) => {
  const cases: Array<[string, RegExp]> = [
    ['{{.Tag', /^--format: unclosed action in "\{\{\.Tag": close it with \}\}$/],
    ['{{range .}}x{{end}}', /^--format: function "range" is not supported: use json, upper, lower$/],
    ['{{printf "%s" .Tag}}', /^--format: function "printf" is not supported/],
    ['{{.Tag.Sub}}', /^--format: "\.Tag\.Sub" is not a field: use \.Field \(one level\)$/],
    ['{{json}}', /^--format: "\{\{json\}\}" names no field/],
    ['{{}}', /names no field/],
    ['{{.Tag .ID}}', /is not supported: use \{\{\.Field\}\}/],
    ['{{.Tag | upper lower}}', /is not supported/],
    ['{{"text"}}', /is not supported/],
  ];
  for (const [format, message] of cases) {
    const err = t.throws(() => outputMode(format), { instanceOf: UsageError }, format);
    t.regex(err?.message ?? '', message, format);
  }
});

test('a field the command does not have is a usage error naming the fields it has', (t) => {
  const fields = ['Repository', 'Tag', 'ID'];
  t.notThrows(() => checkFields(outputMode('{{.Tag}} {{json .}}'), fields, 'docker jindr lsi'));
  t.notThrows(() => checkFields(outputMode('json'), [], 'docker jindr start'));
  const err = t.throws(() => checkFields(outputMode('{{.Repository}}:{{.Nope}}'), fields, 'docker jindr lsi'), { instanceOf: UsageError });
  t.is(err?.message, "--format: unknown field .Nope for 'docker jindr lsi': use .Repository .Tag .ID");
  t.is(err?.exitCode, 2);
  const none = t.throws(() => checkFields(outputMode('{{.Tag}}'), [], 'docker jindr start'), { instanceOf: UsageError });
  t.is(none?.message, "--format: 'docker jindr start' prints no fields: use table or json");
  t.is(parseTemplate('plain').length, 1);
});

/** printRows with a recording context. */
function print(format: string, text?: () => void): string {
  const out: string[] = [];
  const ctx = { format, stdout: { write: (s: string) => out.push(s) } } as unknown as Context;
  type Row = { name: string; size: number; digest: string };
  const columns: Column<Row>[] = [
    { header: 'REPOSITORY', value: (r) => r.name },
    { header: 'SIZE', value: (r) => `${r.size}B` },
    { header: 'DIGEST', value: (r) => r.digest, hidden: true },
    { header: 'IMAGE ID', field: 'ID', value: (r) => r.digest.slice(0, 4) },
  ];
  const rows = [
    { name: 'app', size: 10, digest: 'abcdef' },
    { name: 'a-much-longer-name', size: 2000, digest: '012345' },
  ];
  printRows(ctx, columns, rows, rows, text);
  return out.join('');
}

test("printRows: json is one object per line with the data's own names; a list of none prints nothing", (t) => {
  t.is(print('json'), '{"name":"app","size":10,"digest":"abcdef"}\n{"name":"a-much-longer-name","size":2000,"digest":"012345"}\n');
  const out: string[] = [];
  printRows({ format: 'json', stdout: { write: (s: string) => out.push(s) } } as unknown as Context, [], [], []);
  t.deepEqual(out, ['']);
  const single: string[] = [];
  printRows({ format: 'json', stdout: { write: (s: string) => single.push(s) } } as unknown as Context, [], [], { a: 1, b: [2] });
  t.is(single.join(''), '{"a":1,"b":[2]}\n');
});

test('printRows: the default table leaves hidden columns out; a template reaches them by name', (t) => {
  t.is(
    print('table'),
    'REPOSITORY           SIZE      IMAGE ID\napp                  10B       abcd\na-much-longer-name   2000B     0123\n',
  );
  t.is(print('{{.Repository}} {{.Digest}} {{.ID}}'), 'app abcdef abcd\na-much-longer-name 012345 0123\n');
  t.is(print('table {{.ID}}\\t{{.Repository}}'), 'IMAGE ID   REPOSITORY\nabcd       app\n0123       a-much-longer-name\n');
  t.is(print('{{json .}}').split('\n')[0], '{"Repository":"app","Size":"10B","Digest":"abcdef","ID":"abcd"}');
});

test("printRows: a command's own words are the default; json and templates still get the rows", (t) => {
  let called = 0;
  t.is(
    print('table', () => (called += 1)),
    '',
  );
  t.is(called, 1);
  t.is(
    print('{{.Repository}}', () => (called += 1)),
    'app\na-much-longer-name\n',
  );
  t.is(called, 1);
});
