// README.md's command table has a row for every command in the command table, with its
// aliases, so the usage section cannot lose a command unnoticed. (Options are not
// checked here: they change more often, and a row says what matters about them.)
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commands } from '../../src/cli/commands/index.ts';
import { repoRoot } from '../helpers/run.ts';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const rows = readme.split('\n').filter((l) => l.startsWith('| `'));

for (const cmd of commands) {
  const name = cmd.command.split(' ')[0]!;
  test(`README's command table has ${name} and its aliases`, (t) => {
    const row = rows.find((r) => r.startsWith(`| \`${name}\``) || r.startsWith(`| \`${name} `));
    t.truthy(row, `README.md's command table has no row for "${name}"`);
    for (const alias of cmd.aliases) t.true(row?.includes(`\`${alias}\``), `alias ${alias} of ${name}`);
  });
}
