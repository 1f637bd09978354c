// Writes README.md's command reference from the command table (src/cli/output/reference.ts).
//   npm run readme
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commands } from '../src/cli/commands/index.ts';
import { commandReference, withReference } from '../src/cli/output/reference.ts';

const readme = join(dirname(fileURLToPath(import.meta.url)), '../README.md');
const before = readFileSync(readme, 'utf8');
const after = withReference(before, commandReference(commands));
if (after !== before) writeFileSync(readme, after);
console.log(after === before ? 'README.md: command reference up to date' : 'README.md: command reference rewritten');
