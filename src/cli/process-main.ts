// The only place that hands main the real process (runProcess, called by bin.ts): its
// arguments, environment, streams, signals and exit. main returns the exit code; exiting
// explicitly means an idle keep-alive socket or a watcher left behind by a library can
// never keep a finished command alive. Writes to a pipe whose reader is slower than us
// are queued (libuv gets EAGAIN past the pipe's 64 KiB), so exit only once stdout and
// stderr have flushed: `lsi --format json | jq` gets it all.
import { main, type World } from './main.ts';

/** The standard streams this run touched: Node makes each on first use, which costs start-up time. */
const opened = new Set<NodeJS.WriteStream>();
function open(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  if (!opened.has(stream)) stream.on('error', (err: NodeJS.ErrnoException) => cannotWrite(stream, err));
  opened.add(stream);
  return stream;
}

/**
 * A standard stream that cannot be written (a full disk, an I/O error): one line on stderr and
 * exit 1, never Node's unhandled 'error' event with its stack. A reader that went away
 * (`lsi | head`: EPIPE) needs no line.
 */
function cannotWrite(stream: NodeJS.WriteStream, err: NodeJS.ErrnoException): void {
  if (stream !== process.stderr && err.code !== 'EPIPE') {
    process.stderr.write(`docker-jindr: cannot write the output: ${err.message}\n`);
  }
  process.exit(1);
}

function exitWhenFlushed(code: number): void {
  const pending = [...opened].filter((stream) => stream.writableLength > 0);
  let left = pending.length;
  if (left === 0) process.exit(code);
  // An empty write's callback runs once everything queued before it is written.
  for (const stream of pending) stream.write('', () => --left === 0 && process.exit(code));
}

/** Runs the command line of this process. Everything it reads of the process (argv, env, streams) is read here, when called. */
export function runProcess(): void {
  const world: World = {
    argv: process.argv.slice(2),
    env: process.env,
    get stdout() {
      return open(process.stdout);
    },
    get stderr() {
      return open(process.stderr);
    },
    // Touching process.stdin sets up a stream on fd 0: only when a command reads it.
    stdin: () => process.stdin,
    onSignal: (handler) => {
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
    exit: (code) => process.exit(code),
    // Libraries' deprecation warnings (docker-modem's url.parse) are for us, not for users.
    showWarnings: (show) => {
      process.noDeprecation = !show;
    },
  };

  // Node ends a process whose event loop has nothing left to wait for even while main has not
  // finished (say, a request waiting for a connection that nothing will ever make): that must
  // never pass for success with no output. Once main has finished we exit before this can run.
  process.once('beforeExit', () => {
    open(process.stderr).write(
      'docker-jindr: internal error: the command stopped before it finished, with nothing left to wait for; run it again with --debug and report it\n',
    );
    exitWhenFlushed(1);
  });

  main(world).then(
    (code) => exitWhenFlushed(code),
    (err: unknown) => {
      open(process.stderr).write(`docker-jindr: ${String(err)}\n`);
      exitWhenFlushed(1);
    },
  );
}
