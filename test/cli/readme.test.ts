// README.md's command reference is the one made from the command table
// (src/cli/output/reference.ts): a command, alias, flag or description changed in the
// table and not in the README fails here. `npm run readme` rewrites it.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commands } from '../../src/cli/commands/index.ts';
import { commandName } from '../../src/cli/command-spec.ts';
import { commandReference, REFERENCE_END, REFERENCE_START, withReference } from '../../src/cli/output/reference.ts';
import { repoRoot } from '../helpers/run.ts';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

test("README.md's command reference is the one the command table makes (npm run readme)", (t) => {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  t.true(start >= 0 && end > start, 'README.md has the reference markers');
  t.is(readme.slice(start, end + REFERENCE_END.length), commandReference(commands), 'README.md differs from the table: run npm run readme');
});

test('the reference has a row for every command with its aliases', (t) => {
  const rows = commandReference(commands).split('\n').filter((l) => l.startsWith('| `'));
  t.is(rows.length, commands.length);
  for (const cmd of commands) {
    const row = rows.find((r) => r.startsWith(`| \`${commandName(cmd)}\``) || r.startsWith(`| \`${commandName(cmd)} `));
    t.truthy(row, commandName(cmd));
    for (const alias of cmd.aliases) t.true(row?.includes(`\`${alias}\``), `alias ${alias} of ${commandName(cmd)}`);
  }
});

test('a reference that differs from the table is caught, and rewriting puts the table back', (t) => {
  const changed = readme.replace('| `restart` |', '| `restart-now` |');
  t.not(changed, readme);
  t.is(withReference(changed, commandReference(commands)), readme);
  t.throws(() => withReference('no markers', commandReference(commands)), { message: /no command reference/ });
});
