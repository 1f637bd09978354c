// A real S3 implementation for the tests of S3 storage: moto's server mode (moto_server,
// from PyPI; .ci/run checks it is installed), one per test file on a free port, so that no
// two files share buckets. It listens on the docker0 bridge's gateway address, which both
// this machine (the plugin's own bucket check) and the registry containers on Docker's
// default bridge reach; loopback would be out of the containers' reach, and
// host.docker.internal does not exist on Linux.
// With auth (INITIAL_NO_AUTH_ACTION_COUNT) the first four requests, unchecked, make an IAM
// user with an access key; from then on moto checks every signature, so wrong credentials
// are refused as AWS refuses them (the helper proves that before it answers). But moto 5.2
// computes the signature of a query value holding '/' from the unencoded '/', where AWS (and
// every SDK, distribution's included) encodes it as %2F: the registry's listings (prefix and
// delimiter '/') would be refused. So the registries run against moto without auth (any key
// is taken), and the refusal of wrong credentials is tested against one with auth.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { signRequest, type AwsCredentials } from '../../src/aws/s3-sign.ts';
import { freePort } from './free-port.ts';
import { bridgeGateway } from './network.ts';

export interface S3Server {
  /** http://GATEWAY:PORT */
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Creates a bucket (signed with the user's key). */
  createBucket(name: string): Promise<void>;
  /** Object keys under prefix (signed ListObjectsV2, one page of up to 1000). */
  listKeys(bucket: string, prefix?: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** moto_server: MOTO_SERVER, else on PATH, else pyenv's shim; undefined when none. */
export function motoServerPath(): string | undefined {
  if (process.env.MOTO_SERVER) return process.env.MOTO_SERVER;
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/root/.pyenv/shims']) {
    if (dir && existsSync(join(dir, 'moto_server'))) return join(dir, 'moto_server');
  }
  return undefined;
}

async function waitForServer(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}): ${log()}`);
    const ok = await fetch(`${url}/moto-api/`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`moto_server did not answer at ${url} within 60 s: ${log()}`);
}

const anyKey: AwsCredentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'unchecked' };

async function signed(endpoint: string, method: string, path: string, service: string, credentials: AwsCredentials, body?: string) {
  const url = new URL(path, endpoint);
  const bytes = body === undefined ? undefined : Buffer.from(body);
  const type = bytes ? { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } : undefined;
  const headers = await signRequest({
    method,
    url,
    region: 'us-east-1',
    service,
    credentials,
    ...(bytes ? { body: bytes, headers: type } : {}),
  });
  const response = await fetch(url, { method, headers, ...(bytes ? { body: bytes } : {}) });
  return { status: response.status, text: await response.text() };
}

async function iam(endpoint: string, params: Record<string, string>): Promise<string> {
  const body = new URLSearchParams({ ...params, Version: '2010-05-08' }).toString();
  const r = await signed(endpoint, 'POST', '/', 'iam', anyKey, body);
  if (r.status !== 200) throw new Error(`moto IAM ${params.Action}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
  return r.text;
}

const field = (xml: string, name: string): string => {
  const value = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
  if (value === undefined) throw new Error(`no ${name} in ${xml.slice(0, 300)}`);
  return value;
};

/** Whether the S3 tests can run: under CI a missing moto_server fails the file (never a silent skip). */
export function motoAvailable(): boolean {
  if (motoServerPath() !== undefined) return true;
  if (process.env.CI === 'true') throw new Error('moto_server is missing: CI must provide it (.ci/run checks for it)');
  if (!warned) console.warn('No moto_server: skipping the S3 storage tests (pip install "moto[server]")');
  warned = true;
  return false;
}
let warned = false;

/** Starts moto_server on the docker0 gateway, with a user and key made; throws when it is missing. */
export async function startS3Server(options: { auth?: boolean } = {}): Promise<S3Server> {
  const moto = motoServerPath();
  if (moto === undefined) throw new Error('moto_server is missing (pip install "moto[server]")');
  const host = await bridgeGateway();
  const port = await freePort();
  const endpoint = `http://${host}:${port}`;
  let output = '';
  const child = spawn(moto, ['-H', host, '-p', String(port)], {
    env: options.auth ? { ...process.env, INITIAL_NO_AUTH_ACTION_COUNT: '4' } : process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  process.once('exit', () => child.kill('SIGKILL'));
  try {
    await waitForServer(endpoint, child, () => output);
    const credentials = options.auth
      ? await makeUser(endpoint)
      : { accessKeyId: 'AKIAJINDRTEST0000000', secretAccessKey: `jindr-secret-${randomBytes(12).toString('hex')}` };
    return {
      endpoint,
      credentials,
      async createBucket(name) {
        const r = await signed(endpoint, 'PUT', `/${name}`, 's3', credentials);
        if (r.status !== 200) throw new Error(`creating bucket ${name}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
      },
      async listKeys(bucket, prefix = '') {
        const q = new URLSearchParams({ 'list-type': '2', prefix });
        const r = await signed(endpoint, 'GET', `/${bucket}?${q}`, 's3', credentials);
        if (r.status !== 200) throw new Error(`listing ${bucket}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
        return [...r.text.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]!);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Moto with auth: its four unchecked requests make a user allowed everything, and its key; then a wrong key must be refused. */
async function makeUser(endpoint: string): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  // The four unchecked requests: a user, a policy allowing everything, attached, and a key.
  await iam(endpoint, { Action: 'CreateUser', UserName: 'jindr' });
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
  const arn = field(await iam(endpoint, { Action: 'CreatePolicy', PolicyName: 'all', PolicyDocument: policy }), 'Arn');
  await iam(endpoint, { Action: 'AttachUserPolicy', UserName: 'jindr', PolicyArn: arn });
  const key = await iam(endpoint, { Action: 'CreateAccessKey', UserName: 'jindr' });
  const credentials = { accessKeyId: field(key, 'AccessKeyId'), secretAccessKey: field(key, 'SecretAccessKey') };
  // From here on moto checks signatures: a wrong key must be refused, or the tests of refusals prove nothing.
  const wrong = await signed(endpoint, 'GET', '/', 's3', { ...credentials, secretAccessKey: 'wrong' });
  if (wrong.status !== 403) throw new Error(`moto_server accepted a wrong secret key (HTTP ${wrong.status}): authentication is off`);
  return credentials;
}
