// The built executable against a hostile registry (the in-process fake's flood, raw and
// drip faults): one line, exit 1, no stack trace, no hang, and memory bounded: the peak
// resident size of the process (VmHWM, read from /proc while it runs) stays within a
// little of what the same command needs against a registry that behaves. A manifest
// announcing 2 GiB grew the plugin to 1.26 GB before the limits.
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { closedHost, startOciRegistry, type OciRegistry } from '../fakes/oci-registry.ts';
import { buildRandomImage } from '../helpers/images.ts';
import { docker, errorLine, makeDockerConfig, pluginBinary, type RunResult } from '../helpers/run.ts';

const image = buildRandomImage({ layers: 1, layerSize: 10_000 });

async function registry(t: ExecutionContext): Promise<OciRegistry> {
  const fake = await startOciRegistry();
  t.teardown(fake.close);
  fake.store.pushImage('app', 'v1', image);
  return fake;
}

/** Runs the executable as the Docker CLI does (argv: jindr ARGS), reading its peak RSS (kB) from /proc while it runs. */
function runMeasured(args: string[], env: NodeJS.ProcessEnv): Promise<RunResult & { peakKb: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(pluginBinary, ['jindr', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let peakKb = 0;
    const sample = (): void => {
      try {
        const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (match) peakKb = Math.max(peakKb, Number(match[1]));
      } catch {
        // gone
      }
    };
    const timer = setInterval(sample, 5);
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    // The last sample before the process is reaped: 'exit' comes before its /proc entry goes.
    child.on('exit', sample);
    child.on('close', (code, signal) => {
      clearInterval(timer);
      clearTimeout(killer);
      resolve({
        code: code ?? -1,
        signal,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
        peakKb,
        ms: Date.now() - started,
      });
    });
  });
}

const esc = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test.serial(
  'a manifest announced as 2 GiB, and one whose chunked body never ends: one line naming the 4 MiB limit, memory within 64 MiB of a good inspect',
  async (t) => {
    const config = makeDockerConfig();
    t.teardown(config.cleanup);
    const good = await registry(t);
    const baseline = await runMeasured(['-r', good.host, 'inspect', 'app:v1'], config.env);
    t.is(baseline.code, 0, baseline.stderr);
    t.true(baseline.peakKb > 0, 'the peak was read');

    const announced = await registry(t);
    announced.faults.add({ method: 'GET', path: '/manifests/', flood: { announce: 2 ** 31 } });
    const endless = await registry(t);
    endless.faults.add({ method: 'GET', path: '/manifests/', flood: { framing: 'chunked' } });
    for (const fake of [announced, endless]) {
      const result = await runMeasured(['-r', fake.host, 'inspect', 'app:v1'], config.env);
      const line = errorLine(t, result, 1);
      t.regex(
        line,
        new RegExp(
          `^docker-jindr: ${esc(fake.host)} sent a manifest larger than 4 MiB \\(the limit\\) for GET /v2/app/manifests/v1: not read$`,
        ),
      );
      t.true(result.ms < 20_000, `took ${result.ms} ms`);
      t.log(`peak RSS ${Math.round(result.peakKb / 1024)} MiB; a good inspect ${Math.round(baseline.peakKb / 1024)} MiB`);
      t.true(result.peakKb - baseline.peakKb < 64 * 1024, `peak ${result.peakKb} kB against ${baseline.peakKb} kB`);
    }
  },
);

test.serial(
  'through the docker CLI: a malformed answer, a dripping registry and a port where nothing listens each end at once with one line',
  async (t) => {
    const config = makeDockerConfig();
    t.teardown(config.cleanup);
    const malformed = await registry(t);
    malformed.faults.add({ method: 'GET', path: '/manifests/', raw: 'HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello' });
    const line = errorLine(t, await docker(['jindr', '-r', malformed.host, 'inspect', 'app:v1'], { env: config.env }), 1);
    t.regex(
      line,
      new RegExp(`^docker-jindr: request to ${esc(malformed.host)} failed: malformed HTTP answer: a header line is not "name: value"`),
    );

    const dripping = await registry(t);
    dripping.faults.add({ method: 'GET', path: '/manifests/', dripMs: 300 });
    const env = { ...config.env, JINDR_MIN_RATE: '100', JINDR_RATE_WINDOW_MS: '1500' };
    const started = Date.now();
    const slow = errorLine(t, await docker(['jindr', '-r', dripping.host, 'inspect', 'app:v1'], { env }), 1);
    t.regex(slow, new RegExp(`^docker-jindr: ${esc(dripping.host)} sent too slowly: its answer came slower than 100 bytes/s for 1.5 s`));
    t.true(Date.now() - started < 15_000);

    const closed = await closedHost();
    const good = await registry(t);
    const before = Date.now();
    const refused = errorLine(t, await docker(['jindr', '-r', good.host, 'cp', 'app:v1', closed], { env: config.env }), 1);
    t.regex(refused, new RegExp(`^docker-jindr: no registry answers on ${esc(closed)} \\(start one with`));
    t.true(Date.now() - before < 15_000, `took ${Date.now() - before} ms`);
  },
);
