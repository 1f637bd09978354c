// README.md's command reference is the one made from the command table
// (src/cli/output/reference.ts): a command, alias, flag or description changed in the
// table and not in the README fails here. `npm run readme` rewrites it. The rows' README-only
// text leaves help as it is, its defaults are the code's, and its links name README's sections.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commands } from '../../src/cli/commands/index.ts';
import type { Flag, JindrCommand } from '../../src/cli/command.ts';
import { commandName } from '../../src/cli/command-spec.ts';
import { startCommand } from '../../src/cli/commands/start.ts';
import { parseDuration } from '../../src/cli/duration.ts';
import { GRACE_OPTION } from '../../src/cli/grace-option.ts';
import { MIRROR_OPTIONS } from '../../src/cli/mirror/options.ts';
import { commandHelp } from '../../src/cli/output/help.ts';
import { commandReference, REFERENCE_END, REFERENCE_START, withReference } from '../../src/cli/output/reference.ts';
import { DEFAULT_DATA_DIR } from '../../src/server/prestart-checks.ts';
import { DEFAULT_IMAGE } from '../../src/server/lifecycle.ts';
import { DEFAULT_GRACE_MS } from '../../src/storage/grace-period.ts';
import { repoRoot } from '../helpers/run.ts';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

test("README.md's command reference is the one the command table makes (npm run readme)", (t) => {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  t.true(start >= 0 && end > start, 'README.md has the reference markers');
  t.is(readme.slice(start, end + REFERENCE_END.length), commandReference(commands), 'README.md differs from the table: run npm run readme');
});

test('the reference has a row for every command with its aliases', (t) => {
  const rows = commandReference(commands)
    .split('\n')
    .filter((l) => l.startsWith('| `'));
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

test("a row's README-only text (readme, a flag's defaultText and note) changes nothing in help", (t) => {
  const plain = (cmd: JindrCommand): JindrCommand => ({
    ...cmd,
    readme: undefined,
    options: Object.fromEntries(Object.entries(cmd.options).map(([name, { defaultText: _d, readme: _r, ...flag }]) => [name, flag])),
  });
  const withText = commands.filter(
    (c) => c.readme !== undefined || Object.values(c.options).some((o) => o.defaultText !== undefined || o.readme !== undefined),
  );
  t.true(withText.length > 10, 'most rows carry README text');
  for (const cmd of withText) {
    t.is(commandHelp(cmd, 'docker jindr'), commandHelp(plain(cmd), 'docker jindr'), commandName(cmd));
    for (const sub of cmd.subcommands)
      t.is(commandHelp(cmd, 'docker jindr', sub), commandHelp(plain(cmd), 'docker jindr', sub), `${commandName(cmd)} ${sub.name}`);
  }
});

test("the defaults README shows for flags whose default the run works out are the code's", (t) => {
  const shown = (flag: Flag | undefined): string | undefined => flag?.defaultText?.replace(/^`|`$/g, '');
  t.is(parseDuration(shown(GRACE_OPTION)!, '--grace'), DEFAULT_GRACE_MS);
  t.is(shown(MIRROR_OPTIONS.data), DEFAULT_DATA_DIR);
  t.is(shown(MIRROR_OPTIONS.image), DEFAULT_IMAGE);
  t.is(shown(startCommand.options.data), DEFAULT_DATA_DIR);
  t.is(shown(startCommand.options.image), DEFAULT_IMAGE);
});

test("the reference's links name sections README.md has", (t) => {
  // GitHub's anchors: lower case, punctuation dropped but - and _, spaces to -.
  const anchors = new Set(
    [...readme.matchAll(/^#+ (.+)$/gm)].map((m) =>
      m[1]!
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-'),
    ),
  );
  const links = [...commandReference(commands).matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!);
  t.true(links.length >= 10);
  for (const link of links) t.true(anchors.has(link), `#${link}`);
});
