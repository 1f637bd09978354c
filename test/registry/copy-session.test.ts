// The copy cp and cpe run: --jobs checked, a client for each end closed whatever happens,
// and for cpe the ECR repository made (and its login used) before the copy.
import test from 'ava';
import { freePort } from '../helpers/free-port.ts';
import { RegistryClient } from '../../src/registry/client.ts';
import { planCopy } from '../../src/registry/copy-plan.ts';
import { MAX_JOBS, checkJobs, copyBetween, copyToEcr, type EcrSession } from '../../src/registry/copy-session.ts';
import type { ClientOptions, OpenClient } from '../../src/registry/per-host.ts';
import { RegistryError, UsageError } from '../../src/errors.ts';

/** Real clients, recording what each was opened with and whether it was closed. */
function opener(): { open: OpenClient; opened: Array<{ host: string; options: ClientOptions; closed: boolean }> } {
  const opened: Array<{ host: string; options: ClientOptions; closed: boolean }> = [];
  const open: OpenClient = (host, options = {}) => {
    const client = new RegistryClient(host, { ...options, retries: 0 });
    const record = { host, options, closed: false };
    opened.push(record);
    const close = client.close.bind(client);
    client.close = async () => {
      record.closed = true;
      await close();
    };
    return client;
  };
  return { open, opened };
}

test('--jobs: a whole number from 1 to 32', (t) => {
  t.is(checkJobs(1), 1);
  t.is(checkJobs(MAX_JOBS), MAX_JOBS);
  for (const bad of [0, -1, 1.5, MAX_JOBS + 1, Number.NaN])
    t.throws(() => checkJobs(bad), { instanceOf: UsageError, message: '--jobs must be a whole number from 1 to 32' });
});

test('a copy opens a client per end, room for manifests beside the jobs, and closes both when it fails', async (t) => {
  const [from, to] = [`127.0.0.1:${await freePort()}`, `127.0.0.1:${await freePort()}`];
  const { open, opened } = opener();
  const plan = planCopy('app:v1', from, { registry: to }, []);
  await t.throwsAsync(copyBetween(open, plan, { jobs: 3, insecure: true, destination: { connections: 2 } }), {
    instanceOf: RegistryError,
    message: new RegExp(`no registry answers on ${from}`),
  });
  t.deepEqual(opened, [
    { host: from, options: { insecure: true, concurrency: 7 }, closed: true },
    { host: to, options: { insecure: true, concurrency: 7, connections: 2 }, closed: true },
  ]);
  await t.throwsAsync(copyBetween(open, plan, { jobs: 0, insecure: false }), { instanceOf: UsageError });
  t.is(opened.length, 2, 'bad --jobs: no client opened');
});

function fakeEcr(host: string, created: boolean): EcrSession & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    region: 'eu-west-1',
    login: async () => (calls.push('login'), { host, username: 'AWS', password: 'token' }),
    ensureRepository: async (name, keep) => (calls.push(`ensure ${name} ${keep}`), created),
    close: () => void calls.push('close'),
  };
}

test('cpe: checks --keep and --jobs before ECR is reached; logs in, makes the repository, copies with the login, closes', async (t) => {
  const [from, ecrHost] = [`127.0.0.1:${await freePort()}`, `127.0.0.1:${await freePort()}`];
  const draft = planCopy('team/app:v1', from, { registry: 'ecr.invalid' }, []);
  let connected = 0;
  const ecr = fakeEcr(ecrHost, true);
  const connect = async (): Promise<EcrSession> => ((connected += 1), ecr);
  const { open, opened } = opener();
  await t.throwsAsync(copyToEcr(open, connect, draft, { jobs: 4, keep: 0 }), {
    instanceOf: UsageError,
    message: '--keep must be a whole number of at least 1',
  });
  await t.throwsAsync(copyToEcr(open, connect, draft, { jobs: 99, keep: 4 }), { instanceOf: UsageError });
  t.is(connected, 0);

  const notes: string[] = [];
  await t.throwsAsync(copyToEcr(open, connect, draft, { jobs: 4, keep: 3, info: (m) => notes.push(m) }), { instanceOf: RegistryError });
  t.deepEqual(ecr.calls, ['login', 'ensure team/app 3', 'close']);
  t.deepEqual(notes, ['created ECR repository team/app in eu-west-1, keeping the newest 3 images']);
  t.is(opened[1]!.host, ecrHost, "the destination is the login's host");
  const credential = await opened[1]!.options.credentials?.(ecrHost);
  t.deepEqual(credential, { username: 'AWS', password: 'token' });
  t.true(opened.every((o) => o.closed));
});
