// The executable's entry: run main with the arguments after the program name, then exit
// with its code. Exiting explicitly means an idle keep-alive socket or a watcher left
// behind by a library can never keep a finished command alive. Writes to a pipe whose
// reader is slower than us are queued (libuv gets EAGAIN past the pipe's 64 KiB), so
// exit only once stdout and stderr have flushed: `lsi --format json | jq` gets it all.
import { main } from './main.ts';

function exitWhenFlushed(code: number): void {
  const pending = [process.stdout, process.stderr].filter((stream) => stream.writableLength > 0);
  let left = pending.length;
  if (left === 0) process.exit(code);
  // An empty write's callback runs once everything queued before it is written.
  for (const stream of pending) stream.write('', () => --left === 0 && process.exit(code));
}

main(process.argv.slice(2)).then(
  (code) => exitWhenFlushed(code),
  (err: unknown) => {
    process.stderr.write(`docker-jindr: ${String(err)}\n`);
    exitWhenFlushed(1);
  },
);
