// The AWS SDK is big: only cpe may load it, on demand. Walk the static imports from
// the entry point and check that none reaches @aws-sdk or src/aws/.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { repoRoot } from '../helpers/run.ts';

/** Static value imports (not `import type`, not dynamic import()) of a TypeScript file. */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(?!type\b)([^'";]*?)\s+from\s+['"]([^'"]+)['"]/gm)) specifiers.push(m[3]!);
  for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) specifiers.push(m[1]!);
  return specifiers;
}

test('no static import path from the entry point reaches the AWS SDK', (t) => {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const queue = [join(repoRoot, 'src/cli/bin.ts')];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of staticImports(file)) {
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        if (target.endsWith('.ts')) queue.push(target);
      } else {
        packages.add(spec);
      }
    }
  }
  t.true(seen.has(join(repoRoot, 'src/cli/commands/cpe.ts')), 'the walk reaches the cpe command');
  t.false(
    [...packages].some((p) => p.startsWith('@aws-sdk/')),
    [...packages].join(', '),
  );
  t.false(
    [...seen].some((f) => f.includes('/src/aws/')),
    'src/aws is loaded statically',
  );
  t.regex(readFileSync(join(repoRoot, 'src/cli/commands/cpe.ts'), 'utf8'), /await import\('\.\.\/\.\.\/aws\/ecr\.ts'\)/);
});
