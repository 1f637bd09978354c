import test from 'ava';
import type Docker from 'dockerode';
import { ContainerExitedError, exitedError, hasExited } from '../../src/server/exited.ts';
import { ResourceError } from '../../src/errors.ts';

test('hasExited: exited, dead or restarting, or restarted since we began to wait', (t) => {
  t.false(hasExited({ Status: 'running', Running: true }, 0, 0));
  t.false(hasExited({ Status: 'created', Running: false }, 0, 0));
  t.false(hasExited({ Status: 'running', Running: true }, 4, 4), 'restarts from its past do not count');
  t.true(hasExited({ Status: 'running', Running: true }, 1, 0));
  t.true(hasExited({ Status: 'restarting', Running: true, Restarting: true }, 0, 0));
  t.true(hasExited({ Status: 'exited', Running: false }, 0, 0));
  t.true(hasExited({ Status: 'dead', Running: false }, 0, 0));
});

// A multiplexed log stream, as the engine sends it for a container without a TTY.
function frames(...lines: string[]): Buffer {
  return Buffer.concat(
    lines.map((l) => {
      const data = Buffer.from(l + '\n');
      const header = Buffer.alloc(8);
      header[0] = 2;
      header.writeUInt32BE(data.length, 4);
      return Buffer.concat([header, data]);
    }),
  );
}

function fakeDocker(logs: Buffer) {
  const asked: unknown[] = [];
  const docker = { getContainer: () => ({ logs: async (options: unknown) => (asked.push(options), logs) }) } as unknown as Docker;
  return { docker, asked };
}

const details = (state: Record<string, unknown>) => ({ Config: { Tty: false }, State: state }) as unknown as Docker.ContainerInspectInfo;

test('exitedError: the last ten log lines, the exit code; once removed, no pointer to docker logs', async (t) => {
  const lines = Array.from({ length: 14 }, (_, i) => `line ${i + 1}`);
  const { docker, asked } = fakeDocker(frames(...lines, '', '   '));
  const err = await exitedError(docker, {
    id: 'x',
    name: 'jindr-5001',
    image: 'busybox:1',
    details: details({ Status: 'exited', Running: false, ExitCode: 3 }),
  });
  t.true(err instanceof ResourceError);
  t.deepEqual(asked, [{ stdout: true, stderr: true, tail: 10 }]);
  t.deepEqual(err.logLines, lines.slice(4));
  t.is(
    err.message.split('\n')[0],
    'the registry container jindr-5001 stopped right after starting (exit code 3); its last log lines (docker logs jindr-5001 shows more):',
  );
  const removed = err.removed();
  t.true(removed instanceof ContainerExitedError);
  t.is(
    removed.message,
    [
      'the registry container jindr-5001 stopped right after starting (exit code 3) and was removed: is busybox:1 a registry image? Its last log lines:',
      ...lines.slice(4).map((l) => `  ${l}`),
    ].join('\n'),
  );
});

test('exitedError: running again under its restart policy, and silent', async (t) => {
  const { docker } = fakeDocker(Buffer.alloc(0));
  const err = await exitedError(docker, {
    id: 'x',
    name: 'r',
    image: 'img',
    details: details({ Status: 'running', Running: true, ExitCode: 0 }),
  });
  t.is(err.status, undefined);
  t.is(err.message, 'the registry container r stopped right after starting; it printed nothing (docker logs r)');
  t.is(
    err.removed().message,
    'the registry container r stopped right after starting and was removed: is img a registry image? It printed nothing.',
  );
});
