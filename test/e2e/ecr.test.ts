// `docker jindr cpe` against a local stand-in for ECR's control plane (the AWS SDK is
// pointed at it by AWS_ENDPOINT_URL_ECR), whose token opens a real htpasswd registry.
import { createHash, randomBytes } from 'node:crypto';
import test from 'ava';
import { e2e, startTestRegistry, type TestRegistry } from '../helpers/engine.ts';
import { blobsOf, pushArchy, pushRandomImage } from '../helpers/images.ts';
import { makeDockerConfig, run, jindr } from '../helpers/run.ts';
import { startEcrFake, type EcrFake } from '../fakes/ecr.ts';
import { startHtpasswdRegistry, type AuthRegistry } from '../helpers/registry-containers.ts';

const config = makeDockerConfig();
const password = randomBytes(24).toString('base64url');
let src: TestRegistry;
let backing: AuthRegistry;
let ecr: EcrFake;

test.before(async () => {
  src = await startTestRegistry();
  backing = await startHtpasswdRegistry({ AWS: password });
  ecr = await startEcrFake({ proxyEndpoint: `http://${backing.host}`, password, existing: ['already'] });
});
test.after.always(async () => {
  await ecr?.close();
  await backing?.remove();
  await src?.remove();
  config.cleanup();
});

function awsEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...config.env,
    AWS_ENDPOINT_URL_ECR: ecr.endpoint,
    AWS_ACCESS_KEY_ID: 'AKIDJINDRTEST',
    AWS_SECRET_ACCESS_KEY: 'jindr-test-secret',
    // Keep the machine's own AWS configuration out of it.
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  };
  delete env.AWS_PROFILE;
  delete env.AWS_REGION;
  delete env.AWS_DEFAULT_REGION;
  delete env.AWS_SESSION_TOKEN;
  return env;
}

async function digestAt(reference: string): Promise<string> {
  const result = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', '--creds', `AWS:${password}`, `docker://${reference}`]);
  if (result.code !== 0) throw new Error(result.stderr);
  return 'sha256:' + createHash('sha256').update(result.stdout).digest('hex');
}

e2e('cpe creates the repository with a lifecycle policy, then copies every tag with the token ECR gave', async (t) => {
  const index = await pushArchy(src.host, { tag: 'latest' });
  const v2 = await pushArchy(src.host, { tag: 'v2', format: 'docker' });
  ecr.calls.length = 0;
  const result = await jindr(['cpe', '-r', src.host, '--region', 'eu-west-1', '--keep', '7', 'archy', 'v2'], { env: awsEnv() });
  t.is(result.code, 0, result.stderr);
  t.deepEqual(
    ecr.calls.map((c) => c.operation),
    ['GetAuthorizationToken', 'DescribeRepositories', 'CreateRepository', 'PutLifecyclePolicy'],
  );
  t.true(
    ecr.calls.every((c) => c.accessKeyId === 'AKIDJINDRTEST'),
    'signed with the credentials of the standard chain',
  );
  t.deepEqual(ecr.calls[1]!.input, { repositoryNames: ['archy'] });
  t.like(ecr.calls[2]!.input, { repositoryName: 'archy' });
  const policy = JSON.parse(String(ecr.repositories.get('archy')?.lifecyclePolicyText)) as {
    rules: Array<{ rulePriority: number; selection: Record<string, unknown>; action: { type: string } }>;
  };
  t.deepEqual(
    policy.rules.map((r) => [r.rulePriority, r.selection, r.action.type]),
    [
      [1, { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }, 'expire'],
      [2, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 7 }, 'expire'],
    ],
  );
  t.regex(result.stderr, /created ECR repository archy in eu-west-1, keeping the newest 7 images/);
  t.is(await digestAt(`${backing.host}/archy:latest`), index.digest);
  t.is(await digestAt(`${backing.host}/archy:v2`), v2.digest);
  for (const m of [...index.manifests, ...v2.manifests]) t.is(await digestAt(`${backing.host}/archy@${m.digest}`), m.digest);
  t.false((result.stdout + result.stderr).includes(password));

  // Again: the repository exists, its policy is left alone, and the blobs are there.
  ecr.calls.length = 0;
  const again = await jindr(['copy2ecr', '-r', src.host, '--region', 'eu-west-1', 'archy', 'v2'], { env: awsEnv() });
  t.is(again.code, 0, again.stderr);
  t.deepEqual(
    ecr.calls.map((c) => c.operation),
    ['GetAuthorizationToken', 'DescribeRepositories'],
  );
  // A warm copy says the blobs were there (not "0 already there").
  const blobs = new Set([...blobsOf(index), ...blobsOf(v2)].map((b) => b.digest)).size;
  t.regex(again.stderr, new RegExp(`blobs: 0 copied \\(0B\\), 0 mounted, ${blobs} already there`));
});

e2e('cpe into an existing repository: no creation, no policy change; no region: one line saying how to give one', async (t) => {
  const img = await pushRandomImage(src.host, 'already', 'v1', { layers: 2 });
  ecr.calls.length = 0;
  const result = await jindr(['cpe', '-r', src.host, '--region', 'us-east-2', 'already:v1'], { env: awsEnv() });
  t.is(result.code, 0, result.stderr);
  t.deepEqual(
    ecr.calls.map((c) => c.operation),
    ['GetAuthorizationToken', 'DescribeRepositories'],
  );
  t.is(ecr.repositories.get('already')?.lifecyclePolicyText, undefined);
  t.is(await digestAt(`${backing.host}/already:v1`), img.digest);

  const noRegion = await jindr(['cpe', '-r', src.host, 'already:v1'], { env: awsEnv() });
  t.is(noRegion.code, 1);
  t.regex(noRegion.stderr.trim(), /^docker-jindr: .*(--region|AWS_REGION)/);
  t.is(noRegion.stderr.trim().split('\n').length, 1);
});

e2e('cpe without AWS credentials: says none were found and where it looked, not that AWS refused; ECR is not asked', async (t) => {
  await pushRandomImage(src.host, 'nocreds', 'v1', { layers: 1 });
  const env: NodeJS.ProcessEnv = { ...awsEnv(), AWS_EC2_METADATA_DISABLED: 'true' };
  delete env.AWS_ACCESS_KEY_ID;
  delete env.AWS_SECRET_ACCESS_KEY;
  ecr.calls.length = 0;
  const result = await jindr(['cpe', '-r', src.host, '--region', 'eu-west-1', 'nocreds:v1'], { env });
  t.is(result.code, 1);
  t.is(result.stdout, '');
  const line = result.stderr.trimEnd();
  t.is(line.split('\n').length, 1, line);
  t.regex(
    line,
    /^docker-jindr: GetAuthorizationToken: no AWS credentials found; looked in the environment \(AWS_ACCESS_KEY_ID .*AWS_PROFILE\), ~\/\.aws\/credentials and ~\/\.aws\/config .*SSO .*metadata service/,
  );
  t.notRegex(line, /refused/);
  t.deepEqual(ecr.calls, []);
});

e2e('cpe with ECR out of reach: names the endpoint it could not reach', async (t) => {
  await pushRandomImage(src.host, 'offline', 'v1', { layers: 1 });
  const gone = await startEcrFake({ proxyEndpoint: `http://${backing.host}`, password });
  const endpoint = gone.endpoint.replace(/\/$/, '');
  await gone.close(); // nothing listens there now
  const result = await jindr(['cpe', '-r', src.host, '--region', 'eu-west-1', 'offline:v1'], {
    env: { ...awsEnv(), AWS_ENDPOINT_URL_ECR: endpoint },
  });
  t.is(result.code, 1);
  const line = result.stderr.trimEnd();
  t.is(line.split('\n').length, 1, line);
  t.true(line.startsWith(`docker-jindr: GetAuthorizationToken: could not reach AWS ECR at ${endpoint} (`), line);
  t.regex(line, /: check the network, or AWS_ENDPOINT_URL_ECR$/);
});
