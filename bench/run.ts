// `npm run bench -- NAME [ARGS...]` runs bench/NAME/index.ts with Node 24 (the one in
// node_modules, as npm scripts use). Without a name it lists the benchmarks.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(here, d.name, 'index.ts')))
  .map((d) => d.name)
  .sort();
const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  if (name) console.error(`no benchmark "${name}"`);
  console.error(`usage: npm run bench -- NAME [ARGS...]   (NAME: ${available.join(', ')})`);
  process.exit(name ? 2 : 0);
}
const result = spawnSync(process.execPath, [join(here, name, 'index.ts'), ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
