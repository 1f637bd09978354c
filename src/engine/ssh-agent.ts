// HTTP to an ssh:// engine: every HTTP connection is a process of the user's own ssh binary
// running `docker system dial-stdio` on the host (ssh.ts), its stdin and stdout the
// connection's two directions, as docker/cli's commandconn makes them. The agent keeps up to
// four ordinary connections alive and reuses them; a hijacked one (exec, attach) leaves its
// count and is an ssh of its own, as docker's are.
//
// At most four ssh connect at once: sshd drops handshakes beyond its MaxStartups (10 by
// default, for all of the host's clients), and a command that runs an exec in every registry
// container starts a connection for each. A connection has connected once the engine's first
// bytes come through it, or once its ssh has ended; the next one waiting starts then. (Before,
// at most four ssh could exist at all, and a connection waiting for one to end could wait
// forever while the others sat idle: with nothing else to wait for, Node ended the process
// with code 0 and no output. test/engine/ssh-agent.test.ts has that case.)
import type { ChildProcess } from 'node:child_process';
import { Agent } from 'node:http';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { sshArgs, type SshTarget } from './ssh.ts';
import { sshFailure } from './remote-errors.ts';
import { EngineUnreachableError } from '../errors.ts';

const MAX_CONNECTING = 4;
const MAX_KEPT = 4;
/** The end of ssh's stderr is kept: its last line says why it failed. */
const STDERR_KEPT = 4096;

/** The ssh processes still running: our own exit (Ctrl-C included) ends them. */
const running = new Set<ChildProcess>();

function stop(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM'); // its session: a ProxyCommand too
  } catch {
    // gone already
  }
}

function stopAll(): void {
  for (const child of running) stop(child);
}

type Created = (err: Error | null, socket?: Duplex) => void;

export function sshAgent(target: SshTarget, env: NodeJS.ProcessEnv): Agent {
  const args = sshArgs(target);
  const agent = new Agent({ keepAlive: true, maxSockets: MAX_KEPT });
  let connecting = 0;
  const waiting: Array<() => void> = [];
  /** Called once per connection, when it has connected or ended: the next may connect. */
  const connected = (): void => {
    const next = waiting.shift();
    if (next) next();
    else connecting -= 1;
  };
  const start = (): Duplex => new SshConnection(args, target.host, env, connected);
  const createConnection = (_options: unknown, created: Created): Duplex | undefined => {
    if (connecting < MAX_CONNECTING) {
      connecting += 1;
      return start();
    }
    waiting.push(() => created(null, start()));
    return undefined;
  };
  (agent as unknown as { createConnection: typeof createConnection }).createConnection = createConnection;
  return agent;
}

/** One ssh process as a socket: what node:http's client and agent call on one (ref, unref, setTimeout, ...). */
class SshConnection extends Duplex {
  readonly #child: ChildProcess;
  #stderr = '';
  /** Ended by us: its exit is not a failure. */
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  timeout = 0;

  /** connected: called once, at the first bytes from the engine or when ssh has ended (or never started). */
  constructor(args: string[], host: string, env: NodeJS.ProcessEnv, connected: () => void) {
    super({ allowHalfOpen: false });
    // In a session of its own, as docker/cli starts it: Ctrl-C in the terminal reaches us,
    // not ssh or its ProxyCommand, and we end them. No credentials on its command line.
    const child = process
      .getBuiltinModule('node:child_process')
      .spawn('ssh', args, { env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    this.#child = child;
    if (running.size === 0) process.on('exit', stopAll);
    running.add(child);
    let first = true;
    const turnDone = (): void => {
      if (first) connected();
      first = false;
    };
    const stdout = child.stdout;
    stdout.on('data', (chunk: Buffer) => {
      turnDone();
      this.#active();
      if (!this.push(chunk)) stdout.pause();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-STDERR_KEPT);
    });
    child.stdin.on('error', () => {}); // EPIPE once ssh has gone: its exit says why
    const gone = (): void => {
      if (!running.delete(child)) return;
      if (running.size === 0) process.off('exit', stopAll);
      turnDone();
    };
    child.once('error', (err: NodeJS.ErrnoException) => {
      gone();
      const why =
        err.code === 'ENOENT'
          ? 'ssh is not on PATH: install an OpenSSH client (the Docker CLI needs it for ssh:// too)'
          : `cannot start ssh: ${err.message}`;
      this.destroy(new EngineUnreachableError(why, { cause: err }));
    });
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      gone();
      if (this.destroyed) return;
      // All of its output has been read: the answer ends here, or ssh failed.
      if (code === 0 || this.#stopped) this.push(null);
      else this.destroy(new EngineUnreachableError(sshFailure(host, code, signal, this.#stderr)));
    });
  }

  override _read(): void {
    this.#child.stdout!.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.#active();
    // A failed write is ssh gone: the 'close' handler reports it with ssh's own words.
    this.#child.stdin!.write(chunk, () => callback());
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.#child.stdin!.end();
    callback();
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    stop(this.#child);
    callback(err);
  }

  /** An idle connection kept by the agent must not keep the process alive. */
  ref(): this {
    this.#child.ref();
    for (const s of this.#pipes()) s.ref();
    return this;
  }

  unref(): this {
    this.#child.unref();
    for (const s of this.#pipes()) s.unref();
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  /** As net.Socket: 'timeout' after ms without reading or writing (0: never). */
  setTimeout(ms: number, callback?: () => void): this {
    this.timeout = ms;
    if (callback) this.once('timeout', callback);
    this.#active();
    return this;
  }

  #active(): void {
    clearTimeout(this.#timer);
    if (this.timeout > 0) this.#timer = setTimeout(() => this.emit('timeout'), this.timeout).unref();
  }

  #pipes(): Socket[] {
    return [this.#child.stdin, this.#child.stdout, this.#child.stderr] as Socket[];
  }
}
