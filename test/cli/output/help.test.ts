// Help in the Docker CLI's shape, from the real command table: the plugin's own help,
// each command's, a management command's and its subcommands'; within 80 columns,
// descriptions wrapped under their column, examples never wrapped mid-command.
import test from 'ava';
import { commands } from '../../../src/cli/commands/index.ts';
import { commandName, findCommand } from '../../../src/cli/command-spec.ts';
import { readCommandLine } from '../../../src/cli/command-line.ts';
import { commandHelp, groupHelp, helpFor, nameOrder, pluginHelp } from '../../../src/cli/output/help.ts';
import { globalOptionSpecs } from '../../../src/cli/parse.ts';
import { ownOptions } from '../../../src/cli/command-spec.ts';
import { hanging, twoColumns, wrapWords } from '../../../src/cli/output/help-layout.ts';

const docker = 'docker jindr';
const cp = findCommand(commands, 'cp')!;
const mirror = findCommand(commands, 'mirror')!;

/** Every help text there is, for the checks that hold for all of them. */
function everyHelp(): Array<[string, string]> {
  const all: Array<[string, string]> = [['--help', pluginHelp(commands, docker, 'Run a registry')]];
  for (const c of commands) {
    all.push([`${commandName(c)} --help`, c.subcommands.length ? groupHelp(c, docker) : commandHelp(c, docker)]);
    for (const s of c.subcommands) all.push([`${commandName(c)} ${s.name} --help`, commandHelp(c, docker, s)]);
  }
  return all;
}

test('cp --help: usage line, description, aliases, examples, its options, then the global ones', (t) => {
  const help = commandHelp(cp, docker);
  t.true(help.startsWith('Usage:  docker jindr cp [OPTIONS] IMAGE [DESTINATION] [TAG...]\n\nCopy an image and more of its tags'));
  t.regex(help, /\n\nAliases:\n {2}docker jindr cp, docker jindr copy\n\n/);
  t.regex(
    help,
    /\n\nExamples:\n {2}docker jindr cp app ghcr\.io\/acme v1 v2\n {6}copy app:latest, app:v1 and app:v2 to ghcr\.io\/acme\/app\n/,
  );
  t.regex(help, /\n\nOptions:\n(?: {2}-\w, | {6})--/);
  t.regex(help, /^ {2}-j, --jobs int {8}Blobs transferred at once \(default 4\)$/m);
  t.regex(help, /^ {6}--insecure {8}Allow a destination without TLS/m);
  t.regex(
    help,
    /\n\nGlobal Options:\n {2}-D, --debug {13}Show debug output and stack traces\n {2}-r, --registry string {3}The registry to work on, HOST:PORT \(default\n {26}"localhost:5001"\)\n$/,
  );
  t.true(help.indexOf('Examples:') < help.indexOf('Options:'), "cobra's order: examples, then options");
  t.true(help.indexOf('\nOptions:') < help.indexOf('Global Options:'));
  // Options sorted by long name, as pflag lists them.
  const names = help.slice(help.indexOf('\nOptions:'), help.indexOf('Global Options:')).match(/--[a-z-]+/g)!;
  t.deepEqual(names, [...names].sort());
});

test('--format is listed with the fields a template may use, for the commands that print rows only', (t) => {
  const lsi = commandHelp(findCommand(commands, 'lsi')!, docker);
  t.regex(
    lsi.replace(/\s+/g, ' '),
    /--format string Format output: 'table' \(the default\), 'table TEMPLATE', 'json' \(one JSON object per line\), or a Go 'TEMPLATE' .* over the fields \.Repository \.Tag \.ID \.Platforms \.Created \.Size \.Referrers \.Digest/,
  );
  t.notRegex(commandHelp(findCommand(commands, 'start')!, docker), /--format/);
  t.notRegex(commandHelp(findCommand(commands, 'restart')!, docker), /\[OPTIONS\]/, 'no options of its own: none in the usage line');
});

test("the plugin's help: options, Management Commands (with subcommands), Commands, sorted, then where to read more", (t) => {
  const help = pluginHelp(commands, docker, 'Run a registry');
  t.true(help.startsWith('Usage:  docker jindr [OPTIONS] COMMAND\n\nRun a registry\n\nOptions:\n'));
  t.regex(help, /^ {2}-v, --version {11}Print version information and quit$/m);
  const management = help.slice(help.indexOf('Management Commands:'), help.indexOf('\nCommands:'));
  t.regex(management, /^ {2}index {7}Make a multi-platform image/m);
  t.regex(management, /^ {2}mirror {6}Run a pull-through cache/m);
  const list = help
    .slice(help.indexOf('\nCommands:'))
    .match(/^ {2}[a-z]+/gm)!
    .map((s) => s.trim());
  t.deepEqual(
    list,
    commands
      .filter((c) => c.subcommands.length === 0)
      .map(commandName)
      .sort(),
  );
  t.true(help.endsWith("\n\nRun 'docker jindr COMMAND --help' for more information on a command.\n"));
});

test('a management command lists its subcommands; a subcommand shows only its own options', (t) => {
  const group = groupHelp(mirror, docker);
  t.true(group.startsWith('Usage:  docker jindr mirror COMMAND\n\n'));
  t.regex(group, /\nCommands:\n {2}config {6}.+\n {2}ls {10}.+\n {2}rm {10}.+\n {2}start {7}.+\n/);
  t.regex(group, /\n {2}trim {8}Keep a mirror within its --max-size now/);
  t.true(group.endsWith("Run 'docker jindr mirror COMMAND --help' for more information on a command.\n"));
  const start = commandHelp(
    mirror,
    docker,
    mirror.subcommands.find((s) => s.name === 'start'),
  );
  t.true(start.startsWith('Usage:  docker jindr mirror start [OPTIONS] [UPSTREAM]\n'));
  t.regex(start, /^ {6}--engine +Make this Docker engine/m, 'the "start:" prefix of the shared option list is left out');
  t.notRegex(start, /--purge/);
  const rm = commandHelp(
    mirror,
    docker,
    mirror.subcommands.find((s) => s.name === 'rm'),
  );
  t.regex(rm, /--purge/);
  t.notRegex(rm, /--engine/);
});

test("each mirror action's --format lists its own fields (ls: the command's)", (t) => {
  const fields = (name: string): string => {
    const help = commandHelp(
      mirror,
      docker,
      mirror.subcommands.find((s) => s.name === name),
    ).replace(/\s+/g, ' ');
    return /over the fields ((?:\.\w+ ?)+)/.exec(help)?.[1]?.trim() ?? '';
  };
  t.is(fields('start'), '.Name .Upstream .Address .Container .Port .Image .Data .Network .Outcome .EngineMirror .Mode');
  t.is(fields('stop'), '.Name .Upstream .Address .Container .Outcome');
  t.is(fields('rm'), '.Name .Upstream .Address .Container .Data .DataRemoved .EngineMirror');
  t.is(
    fields('config'),
    '.Name .Upstream .Address .Container .Network .ContainerdFile .Containerd .NodeContainerd .K3d .PodmanFile .Podman',
  );
  t.is(fields('ls'), '.Name .Upstream .Address .Status .Mode .Size .Images .Hits .Misses .Saved');
  t.is(fields('trim'), '.Repository .Tags .Digest .LastPulled');
  t.regex(
    commandHelp(
      mirror,
      docker,
      mirror.subcommands.find((s) => s.name === 'stop'),
    ),
    /^Usage: {2}docker jindr mirror stop \[OPTIONS\] \[UPSTREAM\]$/m,
  );
});

test('every help fits 80 columns, but for an example command line, which is never wrapped', (t) => {
  const examples = new Set(commands.flatMap((c) => c.examples.map(([line]) => `  ${line.replaceAll('$0', docker)}`)));
  for (const [what, help] of everyHelp()) {
    for (const line of help.split('\n')) {
      if (examples.has(line)) continue;
      t.true(line.length <= 79, `${what}: ${JSON.stringify(line)} is ${line.length} long`);
      t.is(line, line.trimEnd(), `${what}: no trailing spaces`);
    }
  }
  const index = commandHelp(findCommand(commands, 'index')!, docker, findCommand(commands, 'index')!.subcommands[0]);
  t.regex(index, /\n {2}docker jindr index create app app:amd64 app:arm64\n {6}app:latest for both platforms\n/);
});

test('helpFor: --help or -h anywhere, nothing at all, a management command alone; otherwise none', (t) => {
  const h = (...args: string[]) => helpFor(readCommandLine(args, commands, docker), args.length === 0, commands, docker, 'desc');
  t.is(h(), pluginHelp(commands, docker, 'desc'));
  t.is(h('--help'), pluginHelp(commands, docker, 'desc'));
  t.is(h('-r', 'localhost:6000', 'cp', 'app', '-h'), commandHelp(cp, docker));
  t.is(h('copy', '--help'), commandHelp(cp, docker), 'an alias');
  t.is(h('mirror'), groupHelp(mirror, docker));
  t.is(
    h('mirror', 'rm', '--help'),
    commandHelp(
      mirror,
      docker,
      mirror.subcommands.find((s) => s.name === 'rm'),
    ),
  );
  t.is(h('cp', 'app'), undefined);
  t.is(h('mirror', 'ls'), undefined);
});

test('layout: words wrapped with a hanging indent; a long first column puts the text below', (t) => {
  t.deepEqual(wrapWords('aa bb cc dd', 5), ['aa bb', 'cc dd']);
  t.deepEqual(wrapWords('averyveryverylongword x', 5), ['averyveryverylongword', 'x']);
  t.is(hanging('  -x', 'one two three four five six seven', 8, 30), '  -x    one two three four\n        five six seven');
  t.is(
    twoColumns([
      ['  a', 'first'],
      ['  bbb', 'second'],
    ]),
    '  a     first\n  bbb   second',
  );
  t.is(twoColumns([['  ls', 'List']], { gap: 1, minFirst: 13 }), '  ls          List', "cobra's column 14");
});

test('nameOrder sorts as localeCompare does, for the real names and for random names of a-z, 0-9 and -', (t) => {
  const names = new Set<string>(['format', ...globalOptionSpecs().map((o) => o.name)]);
  for (const c of commands) {
    names.add(commandName(c));
    for (const o of ownOptions(c)) names.add(o.name);
    for (const s of c.subcommands) {
      names.add(s.name);
      for (const o of ownOptions(c, s)) names.add(o.name);
    }
  }
  const alphabet = 'ab-z09-';
  const random = (): string =>
    Array.from({ length: Math.floor(Math.random() * 5) }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
  const pairs: Array<[string, string]> = [
    ['a-b', 'ab'],
    ['a', 'a-'],
    ['a1', 'a-1'],
    ['', 'a'],
    ['Z', 'a'],
    ['é', 'f'],
  ];
  for (const a of names) for (const b of names) pairs.push([a, b]);
  for (let i = 0; i < 5000; i++) pairs.push([random(), random()]);
  for (const [a, b] of pairs) t.is(nameOrder(a, b), Math.sign(a.localeCompare(b)), `${a} vs ${b}`);
  t.true(names.size > 50, 'the names of the real table');
});
