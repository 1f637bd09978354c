// lsi's dates through the real docker CLI: created from each image's config, pushed from
// the tag links in the storage of a registry docker-jindr runs, --sort by either; pushed
// is absent (not guessed) when the registry's storage cannot be read.
import { e2e } from '../helpers/engine.ts';
import { pushArchy, pushManifestBytes, pushRandomImage } from '../helpers/images.ts';
import { jindrJsonLines, startJindrRegistry } from '../helpers/jindr-registry.ts';
import { jindr, jsonLines } from '../helpers/run.ts';

interface Row {
  repository: string;
  tag: string;
  created?: string;
  pushed?: string;
}

e2e('registry:2: lsi shows CREATED, sorts by push time, and gives both dates in JSON', async (t) => {
  const reg = await startJindrRegistry(t, 'registry:2');
  const started = Date.now();
  const first = await pushRandomImage(reg.host, 'app', 'first');
  await pushArchy(reg.host, { repo: 'app', tag: 'middle' });
  await pushRandomImage(reg.host, 'app', 'last');
  await pushManifestBytes(reg.host, 'app', 'again', first); // a new tag on an old image: pushed now
  const finished = Date.now();

  const rows = await jindrJsonLines<Row>(reg, 'lsi', '--sort', 'pushed');
  t.deepEqual(
    rows.map((r) => r.tag),
    ['again', 'last', 'middle', 'first'],
  );
  for (const r of rows) {
    t.is(r.created, '2024-01-01T00:00:00.000Z', "the fixtures' configs say 2024-01-01");
    const pushed = Date.parse(r.pushed ?? '');
    t.true(pushed >= started - 2000 && pushed <= finished + 2000, `${r.tag} pushed ${r.pushed}`);
  }
  const byName = await jindrJsonLines<Row>(reg, 'lsi');
  t.deepEqual(
    byName.map((r) => r.tag),
    ['again', 'first', 'last', 'middle'],
  );

  const table = (await reg.jindr('lsi', '--sort', 'created')).stdout.trim().split('\n');
  t.regex(table[0]!, /^REPOSITORY\s+TAG\s+IMAGE ID\s+PLATFORMS\s+CREATED\s+SIZE\s+REFERRERS$/);
  for (const line of table.slice(1)) t.regex(line, /\s(\d+ (months|years)) ago\s+\d/);

  // The engine out of reach: no push times, never guessed.
  const blind = await jindr(['-r', reg.host, 'lsi', '--format', 'json'], { env: { ...reg.env, DOCKER_HOST: 'unix:///nonexistent.sock' } });
  t.is(blind.code, 0, blind.stderr);
  const blindRows = jsonLines<Row>(blind.stdout);
  t.is(blindRows.length, 4);
  t.true(blindRows.every((r) => r.created === '2024-01-01T00:00:00.000Z' && !('pushed' in r)));
});
