// What the benchmarks share: their options, a free port, a registry container, a median.
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

/** The value after --NAME on the command line, else the fallback. */
export function option(argv: readonly string[], name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      if (a === null || typeof a === 'string') return reject(new Error('no port'));
      s.close(() => resolve(a.port));
    });
  });
}

/** The middle value (the upper one of the two middle values for an even count). */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * A registry container from `image` published on 127.0.0.1:PORT, once it answers; removed
 * again when it does not. The caller removes it (`docker rm -f -v NAME`) when done.
 */
export async function startRegistry(image: string, namePrefix: string): Promise<{ port: number; name: string }> {
  const port = await freePort();
  const name = `${namePrefix}-${port}`;
  execFileSync('docker', ['run', '-d', '--name', name, '-p', `127.0.0.1:${port}:5000`, image], { stdio: 'ignore' });
  for (let i = 0; ; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/v2/`);
      return { port, name };
    } catch {
      if (i > 100) {
        spawnSync('docker', ['rm', '-f', '-v', name], { stdio: 'ignore' });
        throw new Error('the registry does not answer');
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
