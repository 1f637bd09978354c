// The ssh agent: one ssh process per HTTP connection, up to four kept alive and reused, at
// most four connecting at once (hijacked ones included), a waiting one started as soon as one
// has connected; a failing ssh fails the request with its own last line; an idle connection
// does not keep the process alive, and our exit ends it. The ssh binary is test/fakes/ssh.ts.
import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get, type Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import { promisify } from 'node:util';
import { sshAgent } from '../../src/engine/ssh-agent.ts';
import { sshArgs } from '../../src/engine/ssh.ts';
import { EngineUnreachableError } from '../../src/errors.ts';
import { waitFor } from '../helpers/wait.ts';

const FAKE = resolve(import.meta.dirname, '../fakes/ssh.ts');
const AGENT = resolve(import.meta.dirname, '../../src/engine/ssh-agent.ts');

interface FakeSsh {
  env: NodeJS.ProcessEnv;
  /** Each start of ssh: its pid and arguments. */
  starts(): { pid: number; args: string[] }[];
}

function fakeSsh(t: ExecutionContext, mode: 'http' | 'fail', over: NodeJS.ProcessEnv = {}): FakeSsh {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-fake-ssh-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'ssh'), `#!/bin/sh\nexec "${process.execPath}" "${FAKE}" "$@"\n`);
  chmodSync(join(dir, 'ssh'), 0o755);
  const log = join(dir, 'log');
  writeFileSync(log, '');
  return {
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, FAKE_SSH_LOG: log, FAKE_SSH_MODE: mode, ...over },
    starts: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { pid: number; args: string[] }),
  };
}

function request(agent: Agent): Promise<{ pid: number }> {
  return new Promise((resolve, reject) => {
    get({ host: 'docker.example.com', path: '/_ping', agent }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(JSON.parse(body) as { pid: number }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const target = { host: 'builder', user: 'me', port: '2222' };

type CreateConnection = (options: object, created: (err: Error | null, socket?: Duplex) => void) => Duplex | undefined;

/** A connection as node:http gets one for a hijacked request (exec), which the agent stops counting. */
function connect(agent: Agent): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const socket = (agent as unknown as { createConnection: CreateConnection }).createConnection({}, (err, s) =>
      err ? reject(err) : resolve(s!),
    );
    if (socket) resolve(socket);
  });
}

const PING = 'GET /_ping HTTP/1.1\r\nHost: docker.example.com\r\n\r\n';

interface FourAndAFifth {
  ssh: FakeSsh;
  /** Four connections taking the four turns to connect (nothing written to them yet). */
  sockets: Duplex[];
  /** The fifth, once it has been given one. */
  fifth: () => Duplex | undefined;
}

/** Four connections that have not connected yet, and a fifth asked for: it waits. */
async function fourAndAFifth(t: ExecutionContext): Promise<FourAndAFifth> {
  const ssh = fakeSsh(t, 'http');
  const agent = sshAgent(target, ssh.env);
  const sockets = await Promise.all(Array.from({ length: 4 }, () => connect(agent)));
  let fifth: Duplex | undefined;
  void connect(agent).then((s) => (fifth = s));
  t.teardown(() => [...sockets, fifth].forEach((s) => s?.destroy()));
  await waitFor('four ssh', () => ssh.starts().length === 4);
  t.is(fifth, undefined, 'the fifth waits while four connect');
  return { ssh, sockets, fifth: () => fifth };
}

test('never more than four ssh connecting at once, hijacked connections included: the fifth starts when one ends', async (t) => {
  const { ssh, sockets, fifth } = await fourAndAFifth(t);
  sockets[0]!.destroy();
  await waitFor('the fifth ssh', () => ssh.starts().length === 5 && fifth() !== undefined);
  t.is(ssh.starts().filter((s) => alive(s.pid)).length, 4, 'one ended, then the fifth started');
});

test('a waiting connection starts as soon as one of the four has connected, which then stays open', async (t) => {
  const { ssh, sockets, fifth } = await fourAndAFifth(t);
  const answered = new Promise((resolve) => sockets[0]!.once('data', resolve));
  sockets[0]!.write(PING);
  await answered;
  await waitFor('the fifth ssh', () => ssh.starts().length === 5 && fifth() !== undefined);
  t.is(ssh.starts().filter((s) => alive(s.pid)).length, 5, 'the one that answered is still there');
});

test('requests that wait for a connection get one when the others go idle: the process never ends with work left', async (t) => {
  // Four requests take the four turns to connect; a hijacked connection (exec) waits for a
  // turn; then the four are answered and sit idle, kept alive and unref'd. The connection that
  // waited must start: when it did not, nothing was left for Node to wait for, and the process
  // ended with code 0 and no output (info over ssh printed nothing).
  const ssh = fakeSsh(t, 'http');
  const script = `import { get } from 'node:http';
import { sshAgent } from ${JSON.stringify(AGENT)};
const agent = sshAgent({ host: 'builder' }, process.env);
const ping = () => new Promise((resolve, reject) =>
  get({ host: 'docker.example.com', path: '/_ping', agent }, (res) => { res.resume(); res.on('end', resolve); }).on('error', reject));
const four = Array.from({ length: 4 }, ping);
const fifth = new Promise((resolve, reject) => {
  const socket = agent.createConnection({}, (err, s) => (err ? reject(err) : resolve(s)));
  if (socket) resolve(socket);
});
await Promise.all(four);
console.log('four answered');
const socket = await fifth;
socket.once('data', (d) => { console.log(String(d).split('\\r\\n')[0]); socket.destroy(); agent.destroy(); });
socket.write(${JSON.stringify(PING)});`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    env: ssh.env,
    timeout: 20_000,
  });
  t.is(stdout, 'four answered\nHTTP/1.1 200 OK\n');
  t.is(ssh.starts().length, 5);
});

test("one ssh process per connection, with exactly docker/cli's arguments; kept alive and reused; at most four at once", async (t) => {
  const ssh = fakeSsh(t, 'http');
  const agent = sshAgent(target, ssh.env);
  t.teardown(() => agent.destroy());
  const first = await request(agent);
  const second = await request(agent);
  t.is(second.pid, first.pid, 'the second request reuses the first ssh');
  const answers = await Promise.all(Array.from({ length: 12 }, () => request(agent)));
  const starts = ssh.starts();
  t.true(starts.length <= 4, `${starts.length} ssh processes for 14 requests`);
  t.true(starts.length > 1, 'parallel requests have parallel connections');
  const pids = (list: { pid: number }[]): number[] => [...new Set(list.map((x) => x.pid))].sort();
  t.deepEqual(pids([first, ...answers]), pids(starts), 'every ssh started answered');
  for (const s of starts) t.deepEqual(s.args, sshArgs(target));
});

test("a failing ssh fails the request with one line: the host and ssh's own last line", async (t) => {
  const ssh = fakeSsh(t, 'fail');
  const agent = sshAgent(target, ssh.env);
  t.teardown(() => agent.destroy());
  const err = await t.throwsAsync(request(agent), { instanceOf: EngineUnreachableError });
  t.is(
    err.message,
    'ssh builder failed: Host key verification failed.: is the host key of builder in your known_hosts? (connect once with ssh builder to check it and add it)',
  );
});

test('no ssh on PATH: one line saying to install it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-no-ssh-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const agent = sshAgent(target, { ...process.env, PATH: dir });
  const err = await t.throwsAsync(request(agent), { instanceOf: EngineUnreachableError });
  t.regex(err.message, /^ssh is not on PATH: install an OpenSSH client/);
});

test('an idle kept-alive ssh does not keep the process alive, and the process ending ends it', async (t) => {
  const ssh = fakeSsh(t, 'http');
  // A process that makes one request and then has nothing left to do: it must end by itself.
  const script = `import { get } from 'node:http';
import { sshAgent } from ${JSON.stringify(AGENT)};
const agent = sshAgent({ host: 'builder' }, process.env);
get({ host: 'docker.example.com', path: '/_ping', agent }, (res) => { res.resume(); res.on('end', () => console.log('answered')); });`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...ssh.env, FAKE_SSH_LINGER: '1' },
    timeout: 20_000,
  });
  t.is(stdout.trim(), 'answered');
  const [start] = ssh.starts();
  t.truthy(start);
  // SIGTERM was sent as it exited: wait for the fake to be gone (no fixed sleep).
  await waitFor(`ssh (pid ${start!.pid}) to end with us`, () => !alive(start!.pid));
  t.false(alive(start!.pid));
});
