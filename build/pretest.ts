// What `npm test` does before ava: the build (dist/docker-jindr, which the tests run) and
// the typecheck (tsc --noEmit -p .), side by side rather than one after the other. tsc
// runs on one core for about 20 s and the build mostly on another for about 10 s, so
// together they take the typecheck's time, not the sum. Each one's output is printed
// whole when it ends, never interleaved; either failing fails npm test, before ava.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Step {
  name: string;
  command: string;
  args: string[];
}

const steps: Step[] = [
  { name: 'build', command: process.execPath, args: [join(root, 'build/build.ts')] },
  { name: 'typecheck', command: process.execPath, args: [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', root] },
];

/** Runs a step to its end; resolves with its exit code (1 when it could not start or was killed). */
function run(step: Step): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(step.command, step.args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => output.push(d));
    child.stderr.on('data', (d: Buffer) => output.push(d));
    let ended = false;
    const end = (code: number | null, why: string): void => {
      if (ended) return;
      ended = true;
      process.stdout.write(Buffer.concat(output));
      if (code !== 0) process.stdout.write(`${step.name} failed (${why})\n`);
      resolve(code ?? 1);
    };
    child.on('error', (err) => end(1, err.message));
    child.on('close', (code, signal) => end(code, code === null ? `killed by ${signal}` : `exit ${code}`));
  });
}

const codes = await Promise.all(steps.map(run));
process.exitCode = codes.some((c) => c !== 0) ? 1 : 0;
