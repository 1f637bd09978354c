// The executable's entry: run main with the arguments after the program name.
import { main } from './main.ts';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`docker-jindr: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
