// start --storage s3://...: what is accepted, the registry configuration written for it,
// and how a container made with it is recognised.
import test from 'ava';
import { checkLongLived, parseS3Config, parseS3Storage, s3ConfigFile, s3ConfigYaml, s3StorageOf } from '../../src/server/s3-storage.ts';
import { registryContainerOptions } from '../../src/server/lifecycle.ts';
import { s3Request } from '../../src/cli/start-storage.ts';
import { UsageError } from '../../src/errors.ts';

const address = { registry: 'localhost:5001', host: 'localhost', bindIp: '127.0.0.1', port: 5001 };

test('s3://BUCKET and s3://BUCKET/PREFIX, slashes trimmed', (t) => {
  t.like(parseS3Storage('s3://images', undefined, undefined), { bucket: 'images', prefix: '', url: 's3://images' });
  t.like(parseS3Storage('s3://images/team/a/', 'http://minio:9000/', 'eu-west-1'), {
    bucket: 'images',
    prefix: 'team/a',
    url: 's3://images/team/a',
    endpoint: 'http://minio:9000',
    region: 'eu-west-1',
  });
});

for (const [value, message] of [
  ['/srv/data', /give s3:\/\/BUCKET or s3:\/\/BUCKET\/PREFIX/],
  ['s3://', /is not a bucket name/],
  ['s3://Upper_Case', /is not a bucket name/],
  ['s3://ok-bucket/a/../b', /plain path segments/],
  ['s3://ok-bucket/a b', /letters, digits/],
] as const) {
  test(`--storage ${value} is refused`, (t) => {
    t.regex(t.throws(() => parseS3Storage(value, undefined, undefined), { instanceOf: UsageError }).message, message);
  });
}

test('--s3-endpoint must be an http(s) URL without credentials', (t) => {
  t.throws(() => parseS3Storage('s3://images', 'minio:9000', undefined), { instanceOf: UsageError, message: /http:\/\/ or https:\/\// });
  t.throws(() => parseS3Storage('s3://images', 'http://user:pw@minio:9000', undefined), { instanceOf: UsageError });
});

test('the options that do not go with --storage', (t) => {
  t.is(s3Request({}), undefined);
  t.throws(() => s3Request({ s3Endpoint: 'http://x' }), { message: /go with --storage/ });
  t.throws(() => s3Request({ storage: 's3://images', data: '/srv' }), { message: /exclude each other/ });
  t.throws(() => s3Request({ storage: 's3://images', auth: ['alice'] }), { message: /^not yet on S3 storage: --auth and --tls/ });
  t.throws(() => s3Request({ storage: 's3://images', tls: true }), { message: /^not yet on S3 storage/ });
});

test("the configuration: the s3 driver on the bucket and prefix, the endpoint's scheme, deletes on, redirects off", (t) => {
  const yaml = s3ConfigYaml(
    parseS3Storage('s3://images/team', 'http://minio:9000', undefined),
    { accessKeyId: 'AK"ID', secretAccessKey: 'se:cret' },
    'us-east-1',
  );
  for (const line of [
    '  s3:',
    '    accesskey: "AK\\"ID"',
    '    secretkey: "se:cret"',
    '    region: "us-east-1"',
    '    regionendpoint: "http://minio:9000"',
    '    bucket: "images"',
    '    rootdirectory: "/team"',
    '    secure: false',
    '  delete:\n    enabled: true',
    '  redirect:\n    disable: true',
    '  addr: :5000',
  ])
    t.true(yaml.includes(line + '\n'), line);
  const aws = s3ConfigYaml(parseS3Storage('s3://images', undefined, undefined), { accessKeyId: 'a', secretAccessKey: 'b' }, 'eu-west-1');
  t.false(aws.includes('regionendpoint'));
  t.false(aws.includes('rootdirectory'));
  t.true(aws.includes('    secure: true\n'));
});

test('temporary credentials are refused: distribution 2.8 cannot renew them', (t) => {
  t.notThrows(() => checkLongLived({ accessKeyId: 'a', secretAccessKey: 'b' }));
  t.throws(
    () => checkLongLived({ accessKeyId: 'a', secretAccessKey: 'b', sessionToken: 't', expiration: new Date('2030-01-01T00:00:00Z') }),
    {
      message: /temporary \(they expire 2030-01-01T00:00:00.000Z\)/,
    },
  );
});

test('the container: the file over the image configuration, read-only; the storage in a label; no data directory', (t) => {
  const storage = { url: 's3://images/team', configFile: '/home/u/.config/docker-jindr/registries/localhost-5001-abc.yml' };
  for (const [image, path] of [
    ['registry:3', '/etc/distribution/config.yml'],
    ['registry:2', '/etc/docker/registry/config.yml'],
  ] as const) {
    const options = registryContainerOptions(address, 'jindr-5001', image, storage);
    t.deepEqual(options.HostConfig?.Binds, [`${storage.configFile}:${path}:ro`]);
    t.is(options.Labels?.['jindr.storage'], 's3://images/team');
    t.is(options.Labels?.['jindr.data'], undefined);
    t.deepEqual(options.HostConfig?.Tmpfs, { '/var/lib/registry': 'size=1m' }, 'no anonymous volume for the unused data path');
    t.is(s3StorageOf(options.Labels), 's3://images/team');
  }
  t.is(s3StorageOf({ 'jindr.data': '/srv' }), undefined);
});

test("each registry's file is its own, among the user's secrets", (t) => {
  const env = { HOME: '/home/u' };
  t.regex(s3ConfigFile(env, 'localhost:5001'), /^\/home\/u\/\.config\/docker-jindr\/registries\/localhost-5001-[0-9a-f]{12}\.yml$/);
  t.not(s3ConfigFile(env, 'localhost:5001'), s3ConfigFile(env, 'localhost:5002'));
});

test('the configuration read back: bucket, prefix, endpoint, region and key, as the commands that read the bucket need them', (t) => {
  const key = { accessKeyId: 'AKIA"ODD', secretAccessKey: 'se\\cret/with"quotes' };
  const storage = parseS3Storage('s3://images/team/registry', 'http://minio.example:9000', undefined);
  t.deepEqual(parseS3Config(s3ConfigYaml(storage, key, 'eu-west-1')), {
    bucket: 'images',
    prefix: 'team/registry',
    endpoint: 'http://minio.example:9000',
    region: 'eu-west-1',
    credentials: key,
  });
  const plain = parseS3Config(s3ConfigYaml(parseS3Storage('s3://images', undefined, undefined), key, 'us-east-1'));
  t.deepEqual([plain?.prefix, plain?.endpoint], ['', undefined]);
  // The image's own file (the filesystem driver), or no file: not an S3 configuration.
  t.is(parseS3Config('version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /var/lib/registry\n'), undefined);
  t.is(parseS3Config(''), undefined);
});
