// Whole commands in the test process: main() with a world of our own (argv, an environment
// with its own DOCKER_CONFIG, stdout and stderr captured, no engine), as regctl's
// cmd/regctl/main_test.go runs regctl. The built binary is tested by spawning it (run.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface InProcessOptions {
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

class Capture {
  text = '';
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

/** Runs `docker-jindr ARGV` in this process. Commands that need the Docker engine fail: it has none. */
export async function jindrInProcess(argv: readonly string[], options: InProcessOptions = {}): Promise<InProcessResult> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main({
    argv,
    env: options.env ?? {},
    stdout,
    stderr,
    ...(options.signal ? { signal: options.signal } : {}),
    engine: async () => {
      throw new Error('in-process tests have no Docker engine: test this command end to end (test/e2e)');
    },
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** A DOCKER_CONFIG directory holding config.json (empty unless given), and an environment using it. */
export function dockerConfigEnv(config: unknown = {}): { env: NodeJS.ProcessEnv; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-in-process-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return { env: { HOME: dir, DOCKER_CONFIG: dir, PATH: process.env.PATH }, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The cells of a table printed as docker prints its own (upper-case headers, columns padded
 * to the widest cell, three spaces apart), read at the columns the header line sets, so
 * the test checks the alignment too without depending on the width of a random port.
 */
export function tableCells(text: string): string[][] {
  const lines = text.replace(/\n$/, '').split('\n');
  const header = lines[0] ?? '';
  const names = header.split(/ {3,}/);
  const starts = names.map((name) => header.indexOf(name));
  return lines.map((line) => starts.map((start, i) => line.slice(start, starts[i + 1]).trim()));
}
