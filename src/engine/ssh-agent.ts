// HTTP to an ssh:// engine: every HTTP connection is a `docker system dial-stdio` channel, as
// the Docker CLI makes them, over ONE ssh connection per command. docker-modem's own ssh
// support opens a new ssh connection for every request; a command that inspects many
// containers at once then runs more handshakes in parallel than sshd lets through
// (MaxStartups 10), and sshd drops some: "lost the connection". A bound on open channels
// keeps within sshd's MaxSessions (10).
import { Agent } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Client, ConnectConfig } from 'ssh2';

const MAX_CHANNELS = 4;
/** An ssh connection with no channel open this long is closed. */
const IDLE_MS = 1000;

export type SshClientClass = new () => Client;

export function sshAgent(SshClient: SshClientClass, options: ConnectConfig): Agent {
  let connection: Promise<Client> | undefined;
  let open = 0;
  let idle: NodeJS.Timeout | undefined;

  const connect = (): Promise<Client> =>
    (connection ??= new Promise<Client>((resolve, reject) => {
      const client = new SshClient();
      client
        .once('ready', () => resolve(client))
        // After 'ready' too: an error later (the connection reset) fails the open channels.
        .on('error', (err) => {
          connection = undefined;
          reject(err);
        })
        .once('close', () => {
          connection = undefined;
        })
        .connect(options);
    }));

  const closeWhenIdle = (client: Client): void => {
    clearTimeout(idle);
    idle = setTimeout(() => open === 0 && client.end(), IDLE_MS);
    idle.unref();
  };

  // A channel counts from its opening until sshd confirms its close, which comes after the
  // HTTP agent has let go of it: the agent's own socket limit alone would let sshd's count
  // of sessions run past MaxSessions under load ("Channel open failure").
  const waiting: Array<() => void> = [];
  const slot = (): Promise<void> => {
    if (open < MAX_CHANNELS) {
      open += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = (client: Client): void => {
    const next = waiting.shift();
    if (next) return next();
    open -= 1;
    if (open === 0) closeWhenIdle(client);
  };

  // keepAlive stays off: the agent would call socket methods (setKeepAlive, unref) that an
  // ssh channel does not have. One channel per request; the ssh connection is what is reused.
  const agent = new Agent();
  const createConnection = (_options: unknown, callback: (err: Error | null, stream?: Duplex) => void): undefined => {
    const channel = async (): Promise<Duplex> => {
      const client = await connect();
      await slot();
      clearTimeout(idle);
      return new Promise((resolve, reject) => {
        client.exec('docker system dial-stdio', (err, stream) => {
          if (err) {
            release(client);
            return reject(err);
          }
          stream.once('close', () => release(client));
          resolve(stream);
        });
      });
    };
    channel().then((stream) => callback(null, stream), (err: Error) => callback(err));
    return undefined;
  };
  (agent as unknown as { createConnection: typeof createConnection }).createConnection = createConnection;
  return agent;
}
