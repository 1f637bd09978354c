// A port on this machine's loopback that leads to 127.0.0.1:PORT on an ssh host: one process
// of the user's own ssh binary (so ~/.ssh/config, the agent and known_hosts apply, as for
// ssh:// engines) forwarding a Unix socket in a private directory of ours (no port to race
// for, nobody else's to connect to), and a TCP listener on 127.0.0.1 that an ephemeral port
// gives us, each of its connections piped to that socket. Nothing is published on the
// host's network: the far end is the host's own loopback.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sshForwardArgs, type SshTarget } from './ssh.ts';
import { sshFailure } from './remote-errors.ts';
import { EngineUnreachableError, InterruptedError } from '../errors.ts';

export interface SshTunnel {
  /** The local port: 127.0.0.1:port reaches 127.0.0.1:remotePort on the host. */
  port: number;
  /** Why ssh ended, once it has (before close): what a failed request through the port should say. */
  failure(): Error | undefined;
  /** ssh's last line on stderr so far ("channel 2: open failed: ..."), or ''. */
  said(): string;
  close(): Promise<void>;
}

/** How long ssh may take to log in and forward (its own ConnectTimeout is 30 s). */
const READY_TIMEOUT_MS = 60_000;
const STDERR_KEPT = 4096;

export async function openSshTunnel(
  target: SshTarget,
  remotePort: number,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<SshTunnel> {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-push-'));
  const socketPath = join(dir, 'forward.sock');
  const child = process
    .getBuiltinModule('node:child_process')
    .spawn('ssh', sshForwardArgs(target, socketPath, remotePort), { env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-STDERR_KEPT)));
  const ended = new Promise<Error>((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      resolve(
        new EngineUnreachableError(
          err.code === 'ENOENT' ? 'ssh is not on PATH: install an OpenSSH client' : `cannot start ssh: ${err.message}`,
          { cause: err },
        ),
      ),
    );
    child.once('close', (code: number | null, sig: NodeJS.Signals | null) =>
      resolve(new EngineUnreachableError(sshFailure(target.host, code, sig, stderr || 'the forwarding ended'))),
    );
  });
  let failure: Error | undefined;
  let closing = false;
  void ended.then((err) => (failure = closing ? undefined : err));
  const stopSsh = (): void => stop(child);
  process.on('exit', stopSsh);
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const close = async (): Promise<void> => {
    closing = true;
    for (const s of sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
    stopSsh();
    process.off('exit', stopSsh);
    if (child.exitCode === null && child.signalCode === null) await ended;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await forwarding(socketPath, ended, signal);
    server = createServer((local) => {
      const remote = connect(socketPath);
      for (const s of [local, remote]) {
        sockets.add(s);
        s.on('error', () => (local.destroy(), remote.destroy()));
        s.on('close', () => sockets.delete(s));
      }
      local.pipe(remote).pipe(local);
    });
    const port = await new Promise<number>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(0, '127.0.0.1', () => resolve((server!.address() as { port: number }).port));
    });
    const said = (): string =>
      stderr
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== '')
        .at(-1) ?? '';
    return { port, failure: () => failure, said, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Resolves once ssh has made the socket; rejects with ssh's own words when it ends first. */
async function forwarding(socketPath: string, ended: Promise<Error>, signal: AbortSignal): Promise<void> {
  let failure: Error | undefined;
  void ended.then((err) => (failure = err));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  // ssh says nothing when its forwarding is ready: the socket file appearing is the sign.
  while (!existsSync(socketPath)) {
    if (failure) throw failure;
    if (signal.aborted) throw new InterruptedError();
    if (Date.now() > deadline) throw new EngineUnreachableError(`ssh did not forward a port within ${READY_TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function stop(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM'); // its session: a ProxyCommand too
  } catch {
    // gone already
  }
}
