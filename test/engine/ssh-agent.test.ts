// The ssh agent: one ssh connection for every request, and no more than 4 dial-stdio
// channels open at once, counted until sshd confirms a channel's close.
import test from 'ava';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { sshAgent, type SshClientClass } from '../../src/engine/ssh-agent.ts';

function fakeSsh() {
  const state = { connections: 0, commands: [] as string[], open: [] as PassThrough[], ended: 0 };
  class FakeClient extends EventEmitter {
    connect(): this {
      state.connections += 1;
      setImmediate(() => this.emit('ready'));
      return this;
    }
    exec(command: string, callback: (err: Error | undefined, stream: PassThrough) => void): void {
      state.commands.push(command);
      const stream = new PassThrough();
      state.open.push(stream);
      setImmediate(() => callback(undefined, stream));
    }
    end(): void {
      state.ended += 1;
    }
  }
  return { state, Client: FakeClient as unknown as SshClientClass };
}

type Connect = (options: unknown, callback: (err: Error | null, stream?: unknown) => void) => void;
const tick = () => new Promise((r) => setImmediate(r));

test('ten connections: one ssh connection, four channels at a time, the rest as channels close', async (t) => {
  const { state, Client } = fakeSsh();
  const agent = sshAgent(Client, { host: 'h' }) as unknown as { createConnection: Connect };
  const got: unknown[] = [];
  for (let i = 0; i < 10; i++) agent.createConnection({}, (err, stream) => got.push(err ?? stream));
  for (let i = 0; i < 5; i++) await tick();
  t.is(state.connections, 1);
  t.is(got.length, 4);
  t.deepEqual([...new Set(state.commands)], ['docker system dial-stdio']);

  // The HTTP side lets go of a channel: it still counts until its close arrives.
  state.open[0]!.end();
  for (let i = 0; i < 5; i++) await tick();
  t.is(got.length, 4);
  for (const s of state.open.slice(0, 3)) s.destroy();
  for (let i = 0; i < 5; i++) await tick();
  t.is(got.length, 7);
  for (const s of state.open.slice(3)) s.destroy();
  for (let i = 0; i < 10; i++) await tick();
  t.is(got.length, 10);
  t.is(state.connections, 1);
  t.true(got.every((g) => g instanceof PassThrough));
});

test('a failed ssh connection fails the request with its error, and the next request tries again', async (t) => {
  let attempts = 0;
  class Refused extends EventEmitter {
    connect(): this {
      attempts += 1;
      setImmediate(() => this.emit('error', new Error('Host denied (verification failed)')));
      return this;
    }
  }
  const agent = sshAgent(Refused as unknown as SshClientClass, { host: 'h' }) as unknown as { createConnection: Connect };
  const first = await new Promise<unknown>((resolve) => agent.createConnection({}, (err) => resolve(err)));
  t.is((first as Error).message, 'Host denied (verification failed)');
  await new Promise<unknown>((resolve) => agent.createConnection({}, (err) => resolve(err)));
  t.is(attempts, 2);
});

test('the ssh connection is ended once no channel has been open for a while', async (t) => {
  const { state, Client } = fakeSsh();
  const agent = sshAgent(Client, { host: 'h' }) as unknown as { createConnection: Connect };
  await new Promise((resolve) => agent.createConnection({}, resolve));
  state.open[0]!.destroy();
  await new Promise((r) => setTimeout(r, 1300));
  t.is(state.ended, 1);
});
