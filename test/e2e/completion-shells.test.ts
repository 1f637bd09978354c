// Completion end to end, against a real registry container holding app:v1, app:v2 and
// team/api:latest: the Docker CLI's own `docker __complete jindr ...` (the plugin protocol),
// the bash script (COMP_WORDS/COMP_CWORD set, the function called, COMPREPLY printed),
// and the zsh script driven through a pseudo-terminal (zsh/zpty): TAB in a real zsh.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2e, startTestRegistry, type TestRegistry } from '../helpers/engine.ts';
import { pushRandomImage } from '../helpers/images.ts';
import { docker, jindr, makeDockerConfig, pluginBinary, run } from '../helpers/run.ts';
import test from 'ava';

const config = makeDockerConfig();
const work = mkdtempSync(join(tmpdir(), 'jindr-completion-'));
let registry: TestRegistry | undefined;
test.after.always(async () => {
  await registry?.remove();
  config.cleanup();
  rmSync(work, { recursive: true, force: true });
});

async function theRegistry(): Promise<TestRegistry> {
  if (!registry) {
    registry = await startTestRegistry({ image: 'registry:3' });
    await pushRandomImage(registry.host, 'app', 'v1', { layers: 1 });
    await pushRandomImage(registry.host, 'app', 'v2', { layers: 1 });
    await pushRandomImage(registry.host, 'team/api', 'latest', { layers: 1 });
  }
  return registry;
}

const everything = ['app', 'app:v1', 'app:v2', 'team/api', 'team/api:latest'];

e2e('docker __complete jindr -r HOST inspect "" lists repositories and tags (the Docker CLI asks the plugin)', async (t) => {
  const { host } = await theRegistry();
  const result = await docker(['__complete', 'jindr', '-r', host, 'inspect', ''], { env: config.env });
  t.is(result.code, 0, result.stderr);
  t.deepEqual(result.stdout.trim().split('\n'), [...everything, ':4']);
  const repos = await docker(['__complete', 'jindr', '-r', host, 'rmr', 't'], { env: config.env });
  t.deepEqual(repos.stdout.trim().split('\n'), ['team/api', ':4']);
  const tags = await docker(['__complete', 'jindr', '-r', host, 'inspect', 'app:'], { env: config.env });
  t.deepEqual(tags.stdout.trim().split('\n'), ['app:v1', 'app:v2', ':4']);
});

e2e('docker __complete jindr: no registry at -r means no names, quickly and silently', async (t) => {
  const result = await docker(['__complete', 'jindr', '-r', 'localhost:1', 'inspect', ''], { env: config.env });
  t.is(result.code, 0);
  t.is(result.stdout.trim(), ':4');
  t.is(result.stderr.replace(/^Completion ended with directive.*\n?/m, ''), '');
});

/** Sources the bash script printed by `program completion bash`, sets COMP_WORDS/COMP_CWORD, prints COMPREPLY. */
async function bashComplete(program: string[], words: string[], env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const quoted = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`;
  const script = [
    `source <(${program.map(quoted).join(' ')} completion bash)`,
    `COMP_WORDS=(${words.map(quoted).join(' ')})`,
    `COMP_CWORD=${words.length - 1}`,
    '_docker_jindr',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const result = await run('bash', ['-c', script], { env });
  if (result.code !== 0) throw new Error(`bash: ${result.stderr}`);
  return result.stdout.split('\n').filter((l) => l !== '');
}

e2e('bash: source <(docker-jindr completion bash) completes images, repositories, tags after a colon, commands and options', async (t) => {
  const { port } = await theRegistry();
  const bin = [pluginBinary];
  // bash splits "localhost:PORT" and "app:" at the colons; the script glues them back.
  t.deepEqual(await bashComplete(bin, ['docker-jindr', '-r', 'localhost', ':', String(port), 'inspect', '']), everything);
  t.deepEqual(await bashComplete(bin, ['docker-jindr', '-r', 'localhost', ':', String(port), 'rmi', 'app', ':']), ['v1', 'v2']);
  t.deepEqual(await bashComplete(bin, ['docker-jindr', '-r', 'localhost', ':', String(port), 'lsi', 'te']), ['team/api']);
  t.deepEqual(await bashComplete(bin, ['docker-jindr', '-r', 'localhost', ':', String(port), 'cp', 'app', 'ghcr.io/acme', 'v']), [
    'v1',
    'v2',
  ]);
  t.deepEqual(await bashComplete(bin, ['docker-jindr', 'in']), ['info', 'inspect', 'index']);
  t.deepEqual(await bashComplete(bin, ['docker-jindr', 'inspect', '--la']), ['--layers']);
  t.deepEqual(await bashComplete(bin, ['docker-jindr', 'completion', '']), ['bash', 'zsh']);
  t.deepEqual(await bashComplete(bin, ['docker-jindr', '-r', 'localhost:1', 'inspect', '']), []);
});

e2e('bash: the script printed through `docker jindr completion bash` runs the installed plugin', async (t) => {
  const { port } = await theRegistry();
  const words = ['docker-jindr', '-r', 'localhost', ':', String(port), 'inspect', 'team'];
  const env = { ...config.env, PATH: '/usr/local/bin:/usr/bin:/bin' }; // no docker-jindr on PATH
  t.deepEqual(await bashComplete(['docker', 'jindr'], words, env), ['team/api', 'team/api:latest']);
  const script = await docker(['jindr', 'completion', 'bash'], { env });
  t.true(script.stdout.includes(`__docker_jindr_program='${join(config.dir, 'cli-plugins/docker-jindr')}'`));
});

e2e("zsh: the script parses, and TAB in a real zsh lists the registry's images", async (t) => {
  const { host } = await theRegistry();
  const zsh = await run('sh', ['-c', 'command -v zsh']);
  t.is(zsh.code, 0, 'zsh is installed (CI installs it)');
  const script = join(work, 'docker-jindr.zsh');
  writeFileSync(script, (await jindr(['completion', 'zsh'])).stdout);
  const parsed = await run('zsh', ['-n', script]);
  t.is(parsed.code, 0, parsed.stderr);

  // A driver: an interactive zsh in a pseudo-terminal; type a line and TAB, then a marker command.
  const driver = join(work, 'drive.zsh');
  writeFileSync(
    driver,
    `
zmodload zsh/zpty
typeset -F SECONDS
zpty z zsh -f -i
read_until() {
  local chunk pattern=$1; local deadline=$(( SECONDS + 20 ))
  while (( SECONDS < deadline )); do
    if zpty -r -t z chunk; then all+=$chunk; [[ $all == *$pattern* ]] && return 0; else sleep 0.05; fi
  done
  return 1
}
all=
zpty -w z "PROMPT='> '; autoload -Uz compinit; compinit -u -D; source \${(q)1}; echo READY-\\$((1+1))"
read_until READY-2 || { print -r -- "$all"; exit 2; }
all=
zpty -w -n z "$2"$'\\t\\t'
zpty -w z $'\\x15echo END-$((2+2))'
read_until END-4 || { print -r -- "$all"; exit 3; }
print -r -- "$all"
zpty -d z
`,
  );
  const listing = async (line: string): Promise<string> => {
    const result = await run('zsh', ['-f', driver, script, line], { env: { ...process.env, TERM: 'xterm' }, timeoutMs: 60_000 });
    t.is(result.code, 0, result.stdout + result.stderr);
    // Without the terminal's escape sequences, and only what came before the marker command.
    const text = result.stdout.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/[\r\x07]/g, '');
    return text.slice(0, text.indexOf('echo END'));
  };
  const words = (text: string): Set<string> => new Set(text.split(/\s+/).filter(Boolean));
  const all = words(await listing(`docker-jindr -r ${host} inspect `));
  for (const name of everything) t.true(all.has(name), `${name} in ${[...all].join(' ')}`);
  const tags = await listing(`docker-jindr -r ${host} inspect app:`);
  t.regex(tags, /app:v1/);
  t.regex(tags, /app:v2/);
  t.notRegex(tags, /team\/api/);
});
