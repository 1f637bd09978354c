// Docker's credentials for a registry, as the Docker CLI finds them: the
// docker-credential-<name> helper protocol and the keychain over config.json.
import { AuthError } from '../errors.ts';
import * as shape from '../json-shape.ts';
import { authEntryFor, configKey, helperFor, readDockerConfig, type AuthEntry, type DockerConfigFile } from './config.ts';

/**
 * What a registry login amounts to (the registry client's Credential, structurally):
 * user and password, or an identity token (an OAuth refresh token exchanged at the
 * token server). Never print any field but username.
 */
export type Credential = { username: string; password: string } | { identityToken: string; username?: string };

export type CredentialSource = (host: string) => Promise<Credential | undefined>;

export interface HelperAnswer {
  ServerURL?: string;
  Username?: string;
  Secret?: string;
}

/** Runs `docker-credential-<name> get` with serverUrl on stdin; undefined when it has nothing. */
export type HelperRunner = (name: string, serverUrl: string) => Promise<HelperAnswer | undefined>;

const HELPER_TIMEOUT_MS = 30_000;

/** How long a helper may take: 30 s, or JINDR_CREDENTIAL_HELPER_TIMEOUT_MS (milliseconds). */
export function helperTimeoutMs(env: NodeJS.ProcessEnv): number {
  const value = Number(env.JINDR_CREDENTIAL_HELPER_TIMEOUT_MS);
  return env.JINDR_CREDENTIAL_HELPER_TIMEOUT_MS && Number.isFinite(value) && value > 0 ? value : HELPER_TIMEOUT_MS;
}

function notFound(message: string): boolean {
  return /credentials not found|could not be found in the keychain/i.test(message);
}

/** One line of a helper's complaint, short, for an error message. */
function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 200 ? line.slice(0, 200) + '...' : line;
}

/**
 * A helper's answer to `get`: {"ServerURL", "Username", "Secret"}, strings when present.
 * Anything else is an AuthError naming the helper and the field, never quoting the output.
 */
export function parseHelperAnswer(stdout: string, program: string, serverUrl: string): HelperAnswer {
  return shape.readJson(
    stdout,
    (json) => {
      const f = new shape.Fields(json);
      const answer: HelperAnswer = {};
      for (const key of ['ServerURL', 'Username', 'Secret'] as const) {
        const value = f.optional(key, shape.string);
        if (value !== undefined) answer[key] = value;
      }
      return answer;
    },
    (problem) => new AuthError(`credential helper ${program} sent a malformed answer for ${serverUrl}: ${problem}`),
  );
}

export function execHelper(env: NodeJS.ProcessEnv = process.env): HelperRunner {
  return (name, serverUrl) =>
    new Promise((resolve, reject) => {
      const program = `docker-credential-${name}`;
      // In a process group of its own, so that a timeout kills what the helper started too: a
      // child left behind (a script's `sleep`) keeps the pipes open, and the answer never ends.
      // node:child_process on demand (start-up): only a login kept by a helper needs it.
      const child = process
        .getBuiltinModule('node:child_process')
        .spawn(program, ['get'], { env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      const killGroup = (): void => {
        if (child.pid === undefined) return;
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // gone already
        }
      };
      process.once('exit', killGroup); // our own end (Ctrl-C) ends it too
      const timeoutMs = helperTimeoutMs(env);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup();
        child.stdout.destroy();
        child.stderr.destroy();
        reject(
          new AuthError(
            `credential helper ${program} timed out after ${timeoutMs / 1000} s for ${serverUrl} (JINDR_CREDENTIAL_HELPER_TIMEOUT_MS=<milliseconds> waits longer)`,
          ),
        );
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        process.removeListener('exit', killGroup);
      };
      child.on('error', (e: NodeJS.ErrnoException) => {
        done();
        if (e.code === 'ENOENT') {
          reject(
            new AuthError(
              `credential helper ${program} is not on PATH (named in the Docker config's credsStore or credHelpers): install it or fix config.json`,
            ),
          );
        } else {
          reject(new AuthError(`credential helper ${program} failed to start: ${e.message}`));
        }
      });
      child.stdin.on('error', () => {}); // a helper may exit without reading stdin
      child.on('close', (code, signal) => {
        done();
        if (timedOut) return;
        const stdout = Buffer.concat(out).toString();
        if (code !== 0) {
          // Helpers report errors on stdout (not found included); stderr as a fallback.
          const message = firstLine(stdout) || firstLine(Buffer.concat(err).toString());
          if (notFound(message)) return resolve(undefined);
          const why = signal ? `was killed (${signal})` : `failed (exit ${code})`;
          return reject(new AuthError(`credential helper ${program} ${why} for ${serverUrl}${message ? `: ${message}` : ''}`));
        }
        try {
          resolve(parseHelperAnswer(stdout, program, serverUrl));
        } catch (e) {
          reject(e);
        }
      });
      child.stdin.end(serverUrl);
    });
}

export function fromHelperAnswer(answer: HelperAnswer | undefined): Credential | undefined {
  if (!answer) return undefined;
  const username = answer.Username ?? '';
  const secret = answer.Secret ?? '';
  if (username === '<token>') return secret ? { identityToken: secret } : undefined;
  if (!username && !secret) return undefined;
  return { username, password: secret };
}

export function fromAuthEntry(entry: AuthEntry | undefined): Credential | undefined {
  if (!entry) return undefined;
  let username = entry.username ?? '';
  let password = entry.password ?? '';
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new AuthError('an "auth" entry in the Docker config is malformed: run docker login again');
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  if (entry.identitytoken) return username ? { identityToken: entry.identitytoken, username } : { identityToken: entry.identitytoken };
  if (!username && !password) return undefined;
  return { username, password };
}

/** Credentials for host from one config: credHelpers[host], then credsStore, then auths. */
export async function lookupCredential(config: DockerConfigFile, host: string, runHelper: HelperRunner): Promise<Credential | undefined> {
  const helper = helperFor(config, host);
  if (helper) {
    const found = fromHelperAnswer(await runHelper(helper.name, configKey(host)));
    if (found) return found;
    // A per-host helper that knows nothing: the global store may still know the host.
    if (helper.perHost && config.credsStore && config.credsStore !== helper.name) {
      const fromStore = fromHelperAnswer(await runHelper(config.credsStore, configKey(host)));
      if (fromStore) return fromStore;
    }
  }
  return fromAuthEntry(authEntryFor(config, host));
}

export interface KeychainOptions {
  configDir: string;
  runHelper?: HelperRunner;
  env?: NodeJS.ProcessEnv;
}

/** A CredentialSource over the Docker config in configDir; reads config.json once, asks each host once. */
export function dockerKeychain(options: KeychainOptions): CredentialSource {
  const runHelper = options.runHelper ?? execHelper(options.env);
  let config: Promise<DockerConfigFile> | undefined;
  const answers = new Map<string, Promise<Credential | undefined>>();
  return (host) => {
    let answer = answers.get(host);
    if (!answer) {
      config ??= readDockerConfig(options.configDir);
      answer = config.then((c) => lookupCredential(c, host, runHelper));
      answers.set(host, answer);
    }
    return answer;
  };
}
