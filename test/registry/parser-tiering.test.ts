// The registry client keeps undici's WebAssembly HTTP parser on its baseline code: after
// a thousand responses V8 has compiled nothing of it with TurboFan, where a bare undici
// loop in the same Node (the control) has. (Node's TypeScript stripper, which loads the
// .ts sources here, is WebAssembly too: the parser is told apart as the small module.)
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../helpers/run.ts';

function run(useClient: boolean): string {
  const script = `
    import { createServer } from 'node:http';
    import { request, Agent } from 'undici';
    import { RegistryClient } from ${JSON.stringify(join(repoRoot, 'src/registry/client.ts'))};
    const server = createServer((req, res) => res.end('{"tags":["a","b","c"]}'.repeat(50)));
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const host = '127.0.0.1:' + server.address().port;
    if (${useClient}) {
      const client = new RegistryClient(host, { retries: 0 });
      for (let i = 0; i < 1000; i++) await client.request({ path: '/v2/x/tags/list' });
      await client.close();
    } else {
      const agent = new Agent();
      for (let i = 0; i < 1000; i++) await (await request('http://' + host + '/v2/x/tags/list', { dispatcher: agent })).body.text();
      await agent.close();
    }
    server.close();`;
  const result = spawnSync(process.execPath, ['--trace-wasm-compilation-times', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: repoRoot });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout;
}

/** TurboFan compiles of functions of small wasm modules (llhttp has about 60 functions; the stripper thousands). */
function parserTierUps(trace: string): string[] {
  const lines = [...trace.matchAll(/^Compiled function (0x[0-9a-f]+)#(\d+) using (\w+).*$/gm)];
  const largest = new Map<string, number>();
  for (const [, module, index] of lines) largest.set(module!, Math.max(largest.get(module!) ?? 0, Number(index)));
  return lines.filter(([, module, , tier]) => tier === 'TurboFan' && largest.get(module!)! < 500).map((m) => m[0]);
}

test('no TurboFan compile of the parser after 1000 responses (a bare undici loop gets one)', (t) => {
  t.not(parserTierUps(run(false)).length, 0, 'control: V8 tiers the parser up here');
  t.deepEqual(parserTierUps(run(true)), []);
});
