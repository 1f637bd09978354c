// Ending a running plugin: Ctrl-C on the plugin itself, the Docker CLI closing its plugin
// socket, and SIGINT to the docker CLI when the output is piped (the CLI then closes the
// socket instead of letting the signal through). The command kept busy is `ls` against the
// in-process registry accepting requests and never answering: a real hung request.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { MISBEHAVIOURS, startOciRegistry } from '../fakes/oci-registry.ts';
import { dockerOk, makeDockerConfig, pluginBinary } from '../helpers/run.ts';
import { e2e, startTestRegistry } from '../helpers/engine.ts';

interface Hung {
  address: string;
  /** Resolves when the plugin's request arrives, i.e. the plugin is up and busy. */
  reached: Promise<void>;
  close(): void;
}

/** The in-process registry accepting requests and never answering them. */
async function hungRegistry(): Promise<Hung> {
  const registry = await startOciRegistry();
  registry.faults.add(MISBEHAVIOURS.silent);
  return { address: registry.host, reached: registry.arrived().then(() => {}), close: () => void registry.close() };
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function started(file: string, args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; exit: Promise<Exit> } {
  const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  // Never hang the suite: a plugin that ignores its stop request is killed, and fails below.
  const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const exit = new Promise<Exit>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { child, exit };
}

function assertInterrupted(t: import('ava').ExecutionContext, result: Exit): void {
  t.is(result.signal, null, 'ended by itself, not killed');
  t.is(result.code, 130);
  t.notRegex(result.stderr, /^\s+at /m, 'no stack trace');
  t.is(result.stdout, '');
}

test('Ctrl-C (SIGINT) to the plugin ends it with 130 and no stack trace', async (t) => {
  const registry = await hungRegistry();
  t.teardown(registry.close);
  const { child, exit } = started(pluginBinary, ['-r', registry.address, 'ls'], process.env);
  await registry.reached;
  child.kill('SIGINT');
  assertInterrupted(t, await exit);
});

test('SIGTERM to the plugin ends it with 130 too', async (t) => {
  const registry = await hungRegistry();
  t.teardown(registry.close);
  const { child, exit } = started(pluginBinary, ['-r', registry.address, 'ls'], process.env);
  await registry.reached;
  child.kill('SIGTERM');
  assertInterrupted(t, await exit);
});

test('the plugin ends with 130 when the CLI closes DOCKER_CLI_PLUGIN_SOCKET', async (t) => {
  const registry = await hungRegistry();
  t.teardown(registry.close);
  const name = `jindr_test_${randomBytes(6).toString('hex')}`;
  let pluginSide: Socket | undefined;
  const socketServer = createServer((s) => (pluginSide = s));
  await new Promise<void>((resolve) => socketServer.listen('\0' + name, resolve));
  t.teardown(() => socketServer.close());
  const env = { ...process.env, DOCKER_CLI_PLUGIN_SOCKET: '@' + name, DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND: 'docker' };
  const { exit } = started(pluginBinary, ['jindr', '-r', registry.address, 'ls'], env);
  await registry.reached;
  t.truthy(pluginSide, 'the plugin connected to the socket before starting its work');
  pluginSide!.end();
  assertInterrupted(t, await exit);
});

test('SIGINT to the docker CLI with its output piped: the plugin ends, docker exits 130', async (t) => {
  const registry = await hungRegistry();
  const config = makeDockerConfig();
  t.teardown(() => {
    registry.close();
    config.cleanup();
  });
  const { child, exit } = started('docker', ['jindr', '-r', registry.address, 'ls'], config.env);
  await registry.reached;
  child.kill('SIGINT'); // only the CLI: it must pass the request on through the socket
  assertInterrupted(t, await exit);
});

e2e('docker jindr logs -f, piped: SIGINT to docker ends the plugin with 130, and the registry keeps running', async (t) => {
  // On a bridge: logs finds the registry's container by its published port.
  const registry = await startTestRegistry({ image: 'registry:3', network: 'bridge' });
  const config = makeDockerConfig();
  t.teardown(async () => {
    config.cleanup();
    await registry.remove();
  });
  const { child, exit } = started('docker', ['jindr', '-r', registry.host, 'logs', '-f'], config.env);
  let seen = '';
  await new Promise<void>((resolve) => {
    const look = (d: Buffer) => {
      seen += d.toString();
      if (/listening on|msg=/.test(seen)) resolve();
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
    void exit.then(() => resolve()); // ended early: the assertions below say how
  });
  child.kill('SIGINT');
  const result = await exit;
  t.is(result.signal, null);
  t.is(result.code, 130);
  t.notRegex(result.stderr, /^\s+at /m);
  const state = await dockerOk(['inspect', '-f', '{{.State.Running}}', registry.name]);
  t.is(state.trim(), 'true');
});
