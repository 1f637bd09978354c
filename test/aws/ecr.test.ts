// The ECR control plane of cpe against the local ECR fake (the AWS SDK pointed at it by
// AWS_ENDPOINT_URL_ECR): the repository and its lifecycle policy.
import test from 'ava';
import { connectEcr, lifecyclePolicy, readEcrLogin } from '../../src/aws/ecr.ts';
import { AuthError } from '../../src/errors.ts';
import { startEcrFake } from '../fakes/ecr.ts';

// This file's worker has its own process.env: the SDK's standard chain reads it.
Object.assign(process.env, {
  AWS_ACCESS_KEY_ID: 'AKIDJINDRTEST',
  AWS_SECRET_ACCESS_KEY: 'jindr-test-secret',
  AWS_CONFIG_FILE: '/nonexistent/aws-config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
});
delete process.env.AWS_PROFILE;
delete process.env.AWS_SESSION_TOKEN;

async function fake(t: { teardown(fn: () => Promise<void>): void }, deny: string[] = []) {
  const ecr = await startEcrFake({ proxyEndpoint: 'http://localhost:1', password: 'x', existing: ['already'], deny });
  t.teardown(() => ecr.close());
  process.env.AWS_ENDPOINT_URL_ECR = ecr.endpoint;
  const client = connectEcr({ region: 'eu-west-1' });
  t.teardown(async () => client.close());
  return { ecr, client };
}

test.serial('a missing repository is created with the lifecycle policy; an existing one is left as it is', async (t) => {
  const { ecr, client } = await fake(t);
  t.true(await client.ensureRepository('app', 3));
  t.is(ecr.repositories.get('app')?.lifecyclePolicyText, lifecyclePolicy(3));
  t.false(await client.ensureRepository('already', 3));
  t.is(ecr.repositories.get('already')?.lifecyclePolicyText, undefined);
});

test.serial('a repository whose lifecycle policy cannot be set is not left behind without it', async (t) => {
  const { ecr, client } = await fake(t, ['PutLifecyclePolicy']);
  await t.throwsAsync(client.ensureRepository('app', 4), { message: /^AWS refused PutLifecyclePolicy app: not authorized/ });
  t.false(ecr.repositories.has('app'), 'a later cpe creates it afresh, with the policy');
  t.deepEqual(
    ecr.calls.map((c) => c.operation),
    ['DescribeRepositories', 'CreateRepository', 'PutLifecyclePolicy', 'DeleteRepository'],
  );
});

test.serial('when it cannot be removed either, the error says the repository has no policy', async (t) => {
  const { ecr, client } = await fake(t, ['PutLifecyclePolicy', 'DeleteRepository']);
  const err = await t.throwsAsync(client.ensureRepository('app', 4));
  t.regex(
    err?.message ?? '',
    /^AWS refused PutLifecyclePolicy app: .*; the repository app is left without a lifecycle policy: delete it \(aws ecr delete-repository --repository-name app\) or give it one$/,
  );
  t.true(ecr.repositories.has('app'));
});

test.serial(
  'no credentials anywhere: says none were found and where they are looked for, not that AWS refused; nothing is sent',
  async (t) => {
    const ecr = await startEcrFake({ proxyEndpoint: 'http://localhost:1', password: 'x' });
    t.teardown(() => ecr.close());
    const saved = { ...process.env };
    t.teardown(() => {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    });
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    Object.assign(process.env, { AWS_ENDPOINT_URL_ECR: ecr.endpoint, AWS_EC2_METADATA_DISABLED: 'true' });
    const client = connectEcr({ region: 'eu-west-1' });
    t.teardown(async () => client.close());
    const err = await t.throwsAsync(client.login(), { instanceOf: AuthError });
    t.regex(
      err.message,
      /^GetAuthorizationToken: no AWS credentials found; looked in the environment \(AWS_ACCESS_KEY_ID with AWS_SECRET_ACCESS_KEY, or AWS_PROFILE\), ~\/\.aws\/credentials and ~\/\.aws\/config .*AWS SSO \(aws sso login\).*metadata service: set them up/,
    );
    t.notRegex(err.message, /refused/);
    t.deepEqual(ecr.calls, []);
  },
);

test.serial('an endpoint nothing answers on: the error names it, and says to check the network', async (t) => {
  const ecr = await startEcrFake({ proxyEndpoint: 'http://localhost:1', password: 'x' });
  const endpoint = ecr.endpoint;
  await ecr.close(); // its port now refuses connections
  process.env.AWS_ENDPOINT_URL_ECR = endpoint;
  const client = connectEcr({ region: 'eu-west-1' });
  t.teardown(async () => client.close());
  const err = await t.throwsAsync(client.login());
  t.is(
    err.message.replace(/ \(.*\): /, ' (...): '),
    `GetAuthorizationToken: could not reach AWS ECR at ${endpoint.replace(/\/$/, '')} (...): check the network, or AWS_ENDPOINT_URL_ECR`,
  );
  t.regex(err.message, /ECONNREFUSED/);
});

test('the lifecycle policy: untagged images expire after a day, the newest N are kept', (t) => {
  t.deepEqual(JSON.parse(lifecyclePolicy(5)), {
    rules: [
      {
        rulePriority: 1,
        description: 'Expire untagged images after 1 day',
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        description: 'Keep the newest 5 images',
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 5 },
        action: { type: 'expire' },
      },
    ],
  });
});

test('the authorization ECR sends: base64 user:password and a proxyEndpoint, read into a login', (t) => {
  const token = Buffer.from('AWS:s3cret').toString('base64');
  t.deepEqual(
    readEcrLogin({
      authorizationData: [
        { authorizationToken: token, proxyEndpoint: 'https://123.dkr.ecr.eu-west-1.amazonaws.com', expiresAt: new Date() },
      ],
    }),
    {
      host: '123.dkr.ecr.eu-west-1.amazonaws.com',
      scheme: 'https',
      username: 'AWS',
      password: 's3cret',
    },
  );
  t.like(readEcrLogin({ authorizationData: [{ authorizationToken: token, proxyEndpoint: 'localhost:5005' }] }), {
    host: 'localhost:5005',
    scheme: 'https',
  });
  t.like(readEcrLogin({ authorizationData: [{ authorizationToken: token, proxyEndpoint: 'http://localhost:5005' }] }), {
    host: 'localhost:5005',
    scheme: 'http',
  });
});

const badAuthorizations: [string, unknown, string][] = [
  ['no authorizationData', {}, 'authorizationData: missing, expected an array'],
  ['an empty authorizationData', { authorizationData: [] }, 'authorizationData: empty'],
  [
    'no token',
    { authorizationData: [{ proxyEndpoint: 'https://r.example' }] },
    'authorizationData[0].authorizationToken: missing, expected a non-empty string',
  ],
  [
    'an empty token',
    { authorizationData: [{ authorizationToken: '', proxyEndpoint: 'https://r.example' }] },
    'authorizationData[0].authorizationToken: not a non-empty string but an empty string',
  ],
  [
    'a token without user:password',
    { authorizationData: [{ authorizationToken: Buffer.from('s3cret').toString('base64'), proxyEndpoint: 'https://r.example' }] },
    'authorizationData[0].authorizationToken: not base64 of user:password',
  ],
  [
    'a proxyEndpoint that is no URL',
    { authorizationData: [{ authorizationToken: Buffer.from('AWS:s3cret').toString('base64'), proxyEndpoint: 'https://[nope' }] },
    'authorizationData[0].proxyEndpoint: not a URL',
  ],
];
for (const [what, output, problem] of badAuthorizations) {
  test(`ECR sending ${what}: an AuthError naming the member, never the token`, (t) => {
    const err = t.throws(() => readEcrLogin(output), { instanceOf: AuthError });
    t.is(err.message, `ECR sent a malformed authorization (${problem}): try again, or check the ECR endpoint`);
    t.false(err.message.includes('s3cret'));
  });
}
