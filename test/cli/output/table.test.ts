// Tables as Docker's tabwriter lays them out: elastic tabstops, cells at least 10 wide,
// 3 spaces of padding, no trailing spaces; and the template names of columns.
import test from 'ava';
import { fieldName, renderTable, tabulate } from '../../../src/cli/output/table.ts';

test("tabulate: the example of Go's text/tabwriter (a column is a run of lines with a cell there)", (t) => {
  // aaaa|bbb|d / aa|b|dd / a| / aa|cccc|eee: b and c are in distinct columns.
  t.is(
    tabulate('aaaa\tbbb\td\naa\tb\tdd\na\t\naa\tcccc\teee'),
    ['aaaa      bbb       d', 'aa        b         dd', 'a', 'aa        cccc      eee'].join('\n'),
  );
});

test('tabulate: a column is its widest cell plus 3, at least 10; the last cell is not padded', (t) => {
  t.is(
    tabulate('REPOSITORY\tTAG\tSIZE\nlocalhost:5001/app\tv1\t3kB'),
    'REPOSITORY           TAG       SIZE\nlocalhost:5001/app   v1        3kB',
  );
  t.is(tabulate('a\tb'), 'a         b');
  t.is(tabulate('x\t\t'), 'x', 'trailing padding removed');
  t.is(tabulate('ü\tz\nab\tz'), 'ü         z\nab        z', 'width in characters, not bytes');
});

test('renderTable: headers then rows, hidden columns out, tabs and newlines in a cell flattened', (t) => {
  const table = renderTable(
    [
      { header: 'NAME', value: (r: { n: string }) => r.n },
      { header: 'X', value: () => 'x', hidden: true },
      { header: 'LAST', value: () => 'end' },
    ],
    [{ n: 'a\tb' }, { n: 'c\nd' }],
  );
  t.is(table, 'NAME      LAST\na b       end\nc d       end\n');
});

test('fieldName: the header in CamelCase unless the column names its field', (t) => {
  t.is(fieldName({ header: 'REPOSITORY' }), 'Repository');
  t.is(fieldName({ header: 'STORAGE AREA' }), 'StorageArea');
  t.is(fieldName({ header: 'IMAGE ID', field: 'ID' }), 'ID');
});
