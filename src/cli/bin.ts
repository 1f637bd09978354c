// The executable's entry: run main with the arguments after the program name, then exit
// with its code. Exiting explicitly means an idle keep-alive socket or a watcher left
// behind by a library can never keep a finished command alive (stdout and stderr are
// synchronous for files, pipes and terminals on Linux, so nothing written is lost).
import { main } from './main.ts';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`docker-jindr: ${String(err)}\n`);
    process.exit(1);
  },
);
