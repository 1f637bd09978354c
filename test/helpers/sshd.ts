// A throwaway sshd for e2e tests of ssh:// engines and push: on a free loopback port, letting
// root in with a fresh client key, its sessions running commands on this machine (so
// `docker system dial-stdio` reaches this machine's engine: the "remote" engine is this one).
// And homes of the test's own for the ssh binary: ssh reads ~/.ssh from the passwd database,
// which nss_wrapper answers from a file of the test's.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { freePort } from './free-port.ts';

const SSHD = '/usr/sbin/sshd';
/**
 * ssh reads ~/.ssh from the home directory of the passwd database, not from $HOME: each test
 * gives the ssh it starts a home of its own by nss_wrapper (libnss-wrapper), which answers
 * getpwuid() from a passwd file of the test's.
 */
const NSS_WRAPPER = ['/usr/lib/x86_64-linux-gnu/libnss_wrapper.so', '/usr/lib/aarch64-linux-gnu/libnss_wrapper.so'].find((f) =>
  existsSync(f),
);
export function tempDir(t: ExecutionContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The environment with no engine choice of its own: only what a test sets counts. */
export function cleanEnv(over: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_TLS', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'SSH_AUTH_SOCK']) delete env[k];
  return { ...env, ...over };
}

function waitForPort(port: number, child: ChildProcess, log: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      if (child.exitCode !== null || child.signalCode !== null) {
        reject(new Error(`sshd exited (${child.exitCode ?? child.signalCode}): ${log()}`));
        return;
      }
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on 127.0.0.1:${port}: ${log()}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

export interface Sshd {
  port: number;
  dir: string;
  /** The client key sshd lets in, and sshd's host key as known_hosts has it (`[127.0.0.1]:PORT <type> <key>`). */
  clientKey: string;
  knownHostsLine: string;
  /** What sshd said so far (-e: its log on stderr). */
  log(): string;
}

export interface SshdOptions {
  /** More lines of sshd_config (ForceCommand ...). */
  config?: string[];
  /** The client key to let in (another sshd's clientKey): by default a fresh one. */
  clientKey?: string;
}

/** An sshd of our own on a free loopback port, letting root in with a fresh client key. */
export async function startSshd(t: ExecutionContext, options: SshdOptions = {}): Promise<Sshd> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} is missing: install openssh-server (.ci/run does)`);
  const dir = tempDir(t, 'jindr-sshd-');
  const hostPub = keygen(join(dir, 'host_key'));
  const clientKey = options.clientKey ?? join(dir, 'client_key');
  const clientPub = options.clientKey ? readFileSync(`${clientKey}.pub`, 'utf8').trim() : keygen(clientKey);
  writeFileSync(join(dir, 'authorized_keys'), `${clientPub}\n`, { mode: 0o600 });
  const port = await freePort();
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'StrictModes no',
      'UsePAM no',
      `PidFile ${join(dir, 'sshd.pid')}`,
      ...(options.config ?? []),
      '',
    ].join('\n'),
  );
  mkdirSync('/run/sshd', { recursive: true }); // privilege separation directory
  const child = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise((resolve) => child.once('close', resolve));
  // Teardowns run last-first: sshd is gone (it deletes its pid file as it exits) before dir is removed.
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
  await waitForPort(port, child, () => log);
  return { port, dir, clientKey, knownHostsLine: `[127.0.0.1]:${port} ${hostPub}`, log: () => log };
}

export function keygen(file: string): string {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', file], { stdio: 'ignore' });
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

export interface SshHome {
  /** The home ssh sees (its ~/.ssh), and the environment that makes it so, with DOCKER_CONFIG. */
  dir: string;
  env: NodeJS.ProcessEnv;
  write(file: string, text: string): void;
}

/** A home directory of the test's for every ssh started with env: ~/.ssh/config, keys and known_hosts are read there. */
export function sshHome(t: ExecutionContext, over: NodeJS.ProcessEnv = {}): SshHome {
  if (!NSS_WRAPPER) throw new Error('libnss_wrapper.so is missing: install libnss-wrapper (.ci/run does)');
  const dir = tempDir(t, 'jindr-ssh-home-');
  mkdirSync(join(dir, '.ssh'), { mode: 0o700 });
  const me = userInfo();
  writeFileSync(join(dir, 'passwd'), `${me.username}:x:${me.uid}:${me.gid}:test:${dir}:/bin/sh\n`);
  writeFileSync(join(dir, 'group'), `${me.username}:x:${me.gid}:\n`);
  const write = (file: string, text: string): void => writeFileSync(join(dir, '.ssh', file), text, { mode: 0o600 });
  const env = cleanEnv({
    HOME: dir,
    LD_PRELOAD: NSS_WRAPPER,
    NSS_WRAPPER_PASSWD: join(dir, 'passwd'),
    NSS_WRAPPER_GROUP: join(dir, 'group'),
    ...over,
  });
  return { dir, env, write };
}

/** A home with the client key and host key where ssh looks by default. */
export function defaultHome(t: ExecutionContext, sshd: Sshd, over: NodeJS.ProcessEnv = {}): SshHome {
  const home = sshHome(t, over);
  home.write('id_ed25519', readFileSync(sshd.clientKey, 'utf8'));
  home.write('known_hosts', `${sshd.knownHostsLine}\n`);
  return home;
}

/** ~/.ssh/config with Host myalias (this sshd, its key and known_hosts outside ssh's defaults) and Host jumped (through myalias). */
export function aliasHome(t: ExecutionContext, sshd: Sshd, strict: string, over: NodeJS.ProcessEnv = {}): SshHome & { knownHosts: string } {
  const home = sshHome(t, over);
  const knownHosts = join(home.dir, 'alias_known_hosts');
  home.write(
    'config',
    [
      'Host myalias',
      '  HostName 127.0.0.1',
      `  Port ${sshd.port}`,
      '  User root',
      `  IdentityFile ${sshd.clientKey}`,
      `  UserKnownHostsFile ${knownHosts}`,
      `  StrictHostKeyChecking ${strict}`,
      'Host jumped',
      '  HostName 127.0.0.1',
      `  Port ${sshd.port}`,
      '  User root',
      `  IdentityFile ${sshd.clientKey}`,
      `  UserKnownHostsFile ${knownHosts}`,
      '  ProxyJump myalias',
      '',
    ].join('\n'),
  );
  return { ...home, knownHosts };
}
