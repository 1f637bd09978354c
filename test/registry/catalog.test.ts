import test from 'ava';
import { listRepositories, listTags, nextLink } from '../../src/registry/catalog.ts';
import { RegistryClient } from '../../src/registry/client.ts';
import { NotFoundError, RegistryError } from '../../src/errors.ts';
import { buildRandomImage } from '../helpers/images.ts';
import { startOciRegistry } from '../fakes/oci-registry.ts';

const base = 'http://localhost:5001/v2/_catalog?n=1000';

test('next links, relative and absolute', (t) => {
  t.is(nextLink('</v2/_catalog?last=b&n=1000>; rel="next"', base), 'http://localhost:5001/v2/_catalog?last=b&n=1000');
  t.is(nextLink('<https://other.example/v2/x/tags/list?last=1&n=2>; rel=next', base), 'https://other.example/v2/x/tags/list?last=1&n=2');
  t.is(nextLink('<?last=z&n=5>;rel="next"', base), 'http://localhost:5001/v2/_catalog?last=z&n=5');
});

test('several links, only next counts', (t) => {
  t.is(nextLink('</v2/_catalog?last=a>; rel="prev", </v2/_catalog?last=c>; rel="next"', base), 'http://localhost:5001/v2/_catalog?last=c');
  t.is(nextLink('</v2/_catalog?last=a>; rel="prev"', base), undefined);
  t.is(nextLink('</a,b>; rel="first next"', base), 'http://localhost:5001/a,b');
});

test('no link', (t) => {
  t.is(nextLink(undefined, base), undefined);
  t.is(nextLink('', base), undefined);
  t.is(nextLink('garbage', base), undefined);
});

test('a registry without a catalog (404): one line naming the host, not a bare path', async (t) => {
  const fake = await startOciRegistry({ catalog: false });
  t.teardown(fake.close);
  const host = fake.host;
  const client = new RegistryClient(host, { retries: 0 });
  t.teardown(() => client.close());
  const err = await t.throwsAsync(listRepositories(client), { instanceOf: RegistryError });
  t.regex(err.message, new RegExp(`^${host.replace(/\./g, '\\.')} .*catalog`));
  t.notRegex(err.message, /\n/);
});

test('a tag list the registry does not know (404) of a repository its catalog lists: no tags (distribution on S3 once the last tag went); else no repository', async (t) => {
  const fake = await startOciRegistry();
  t.teardown(fake.close);
  fake.store.pushImage('emptied', 'v1', buildRandomImage({ layers: 1 }));
  // What distribution on S3 answers once the last tag went: the catalog still lists the repository.
  fake.faults.add({ path: '/v2/emptied/tags/list', status: 404, code: 'NAME_UNKNOWN' });
  const client = new RegistryClient(fake.host, { retries: 0 });
  t.teardown(() => client.close());
  t.deepEqual(await listTags(client, 'emptied'), []);
  const err = await t.throwsAsync(listTags(client, 'never'), { instanceOf: NotFoundError });
  t.is(err.message, `no repository ${fake.host}/never`);

  const noCatalog = await startOciRegistry({ catalog: false });
  t.teardown(noCatalog.close);
  const other = new RegistryClient(noCatalog.host, { retries: 0 });
  t.teardown(() => other.close());
  await t.throwsAsync(listTags(other, 'never'), { instanceOf: NotFoundError, message: `no repository ${noCatalog.host}/never` });
});
