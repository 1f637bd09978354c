// The Docker engine disappears in the middle of a command: DOCKER_HOST points at a unix
// socket served by a proxy in this process, which forwards to the real engine until it
// sees a chosen request, then closes everything (as a stopped dockerd would). Each
// command must exit 1 with one line naming the engine (no "socket hang up", no stack
// trace), and leave nothing half-done that the line does not name.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { e2e, freePort, startTestRegistry } from '../helpers/engine.ts';
import { docker, jindr, pluginBinary, type RunResult } from '../helpers/run.ts';
import type { ExecutionContext } from 'ava';

const ENGINE_SOCKET = process.env.DOCKER_HOST?.startsWith('unix://')
  ? process.env.DOCKER_HOST.slice('unix://'.length)
  : '/var/run/docker.sock';

interface VanishingEngine {
  socket: string;
  /** Request lines seen ("POST /v1.41/containers/create?name=x"). */
  requests: string[];
  /** Whether the trigger was seen and the engine "went away". */
  gone(): boolean;
  close(): void;
}

/** A proxy to the engine that vanishes at the first request matching trigger (after delayMs, forwarding it first). */
async function vanishingEngine(t: ExecutionContext, trigger: RegExp, delayMs = 0): Promise<VanishingEngine> {
  const dir = mkdtempSync(join(tmpdir(), 'jindr-engine-proxy-'));
  const socket = join(dir, 'docker.sock');
  const sockets = new Set<Socket>();
  const requests: string[] = [];
  let dead = false;
  const server = createServer((client) => {
    if (dead) return client.destroy();
    const upstream = connect(ENGINE_SOCKET);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    upstream.on('data', (d: Buffer) => client.write(d));
    client.on('data', (d: Buffer) => {
      if (dead) return;
      const lines = [...d.toString('latin1').matchAll(/(?:^|\r\n)([A-Z]+ \S+) HTTP\/1\.[01]\r\n/g)].map((m) => m[1]!);
      requests.push(...lines);
      if (!lines.some((l) => trigger.test(l))) return void upstream.write(d);
      const vanish = (): void => {
        dead = true;
        server.close();
        for (const s of sockets) s.destroy();
      };
      if (delayMs === 0) return vanish();
      upstream.write(d);
      setTimeout(vanish, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  const engine = {
    socket,
    requests,
    gone: () => dead,
    close: () => {
      dead = true;
      server.close();
      for (const s of sockets) s.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  t.teardown(() => engine.close());
  return engine;
}

function envFor(engine: VanishingEngine): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: `unix://${engine.socket}` };
  delete env.DOCKER_CONTEXT;
  return env;
}

/** The message for a lost engine at this proxy. */
function lostLine(engine: VanishingEngine): RegExp {
  const at = `unix://${engine.socket}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`lost the connection to the Docker engine at ${at} \\(context "default", from DOCKER_HOST\\): is it still running\\?`);
}

function checkOneLine(t: ExecutionContext, result: RunResult): string {
  t.is(result.code, 1, result.stderr);
  const lines = result.stderr.split('\n').filter((l) => l !== '');
  t.is(lines.length, 1, result.stderr);
  t.notRegex(result.stderr, /\n\s+at |socket hang up|ECONNRESET/);
  t.true(lines[0]?.startsWith('docker-jindr: '), result.stderr);
  return lines[0] ?? '';
}

async function containerState(name: string): Promise<string | undefined> {
  const r = await docker(['inspect', '--format', '{{.State.Status}}', name]);
  return r.code === 0 ? r.stdout.trim() : undefined;
}

e2e('info: the engine vanishes while containers are listed', async (t) => {
  const engine = await vanishingEngine(t, /^GET \S*\/containers\/json/);
  const result = await jindr(['info'], { env: envFor(engine) });
  t.true(engine.gone(), engine.requests.join('\n'));
  t.regex(checkOneLine(t, result), lostLine(engine));
});

e2e('logs -f: the engine vanishes while the log is followed', async (t) => {
  // On a bridge: logs finds the registry's container by its published port.
  const registry = await startTestRegistry({ image: 'registry:3', network: 'bridge' });
  t.teardown(() => registry.remove());
  const engine = await vanishingEngine(t, /^GET \S*\/logs\?.*follow=true/, 1000);
  const child = spawn(pluginBinary, ['-r', registry.host, 'logs', '-f'], { env: envFor(engine) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.true(engine.gone(), engine.requests.join('\n'));
  t.is(code, 1, stderr);
  // The registry's own log arrives before (it logs on stderr); ours is the last line, and the only one of ours.
  t.regex(stdout + stderr, /listening on/);
  const ours = stderr.split('\n').filter((l) => l.startsWith('docker-jindr:'));
  t.is(ours.length, 1, stderr);
  t.regex(stderr.trimEnd().split('\n').at(-1) ?? '', lostLine(engine));
  t.notRegex(stderr, /\n\s+at |socket hang up|aborted\n/);
  t.is(await containerState(registry.name), 'running', 'the registry is left as it was');
});

async function startArgs(t: ExecutionContext): Promise<{ args: string[]; name: string }> {
  const port = await freePort();
  const data = mkdtempSync(join(tmpdir(), 'jindr-vanish-data-'));
  const name = `jindr-vanish-${port}-${Math.random().toString(36).slice(2, 8)}`;
  t.teardown(async () => {
    await docker(['rm', '-f', '-v', name]);
    rmSync(data, { recursive: true, force: true });
  });
  return { args: ['-r', `localhost:${port}`, 'start', '-d', data, '-n', name, '--image', 'registry:3'], name };
}

e2e('start: the engine vanishes as the container is created: nothing is created, one line', async (t) => {
  const { args, name } = await startArgs(t);
  const engine = await vanishingEngine(t, /^POST \S*\/containers\/create/);
  const result = await jindr(args, { env: envFor(engine) });
  t.true(engine.gone(), engine.requests.join('\n'));
  const line = checkOneLine(t, result);
  t.regex(line, new RegExp(`^docker-jindr: cannot create the registry container ${name}: ${lostLine(engine).source}$`));
  t.is(await containerState(name), undefined, 'no container');
});

e2e('start: the engine vanishes as the container is started: the line names the container left behind', async (t) => {
  const { args, name } = await startArgs(t);
  const engine = await vanishingEngine(t, /^POST \S*\/containers\/[0-9a-f]{64}\/start/);
  const result = await jindr(args, { env: envFor(engine) });
  t.true(engine.gone(), engine.requests.join('\n'));
  const line = checkOneLine(t, result);
  t.regex(
    line,
    new RegExp(
      `^docker-jindr: cannot start the registry container ${name}: ${lostLine(engine).source} \\(the unfinished container ${name} is left behind: docker rm -f ${name}\\)$`,
    ),
  );
  // What the line names is what is there: created, never started.
  t.is(await containerState(name), 'created');
});
