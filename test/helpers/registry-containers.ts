// Real registry containers with authentication or TLS, for the copy tests:
// htpasswd (Basic), token auth with the small token server, TLS from a test CA.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestRegistry, type TestRegistry } from './engine.ts';
export { outsideAddress } from './network.ts';
import { selfSigned, type Pki } from '../fakes/pki.ts';
import { startTokenServer, type TokenServer } from '../fakes/token-server.ts';

export interface AuthRegistry extends TestRegistry {
  users: Record<string, string>;
}

export interface TokenRegistry extends AuthRegistry {
  tokens: TokenServer;
}

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Starts a registry that uses `dir`: the directory goes with the registry, or at once when it does not start. */
async function withDir(dir: string, start: () => Promise<TestRegistry>): Promise<TestRegistry> {
  try {
    const registry = await start();
    return {
      ...registry,
      remove: async () => {
        await registry.remove();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** A registry with `auth: htpasswd` (bcrypt entries made by htpasswd -Bbn). */
export async function startHtpasswdRegistry(
  users: Record<string, string>,
  options: { image?: string; env?: Record<string, string>; volumes?: Record<string, string> } = {},
): Promise<AuthRegistry> {
  const dir = tempDir('jindr-htpasswd-');
  const lines = Object.entries(users).map(([u, p]) => execFileSync('htpasswd', ['-Bbn', u, p], { encoding: 'utf8' }).trim());
  writeFileSync(join(dir, 'htpasswd'), lines.join('\n') + '\n');
  const registry = await withDir(dir, () =>
    startTestRegistry({
      image: options.image,
      env: {
        REGISTRY_AUTH: 'htpasswd',
        REGISTRY_AUTH_HTPASSWD_REALM: 'jindr-test',
        REGISTRY_AUTH_HTPASSWD_PATH: '/auth/htpasswd',
        ...options.env,
      },
      volumes: { [dir]: '/auth', ...options.volumes },
    }),
  );
  return { ...registry, users };
}

/** A registry with `auth: token`, trusting tokens of a token server started with it. */
export async function startTokenRegistry(users: Record<string, string>, options: { image?: string } = {}): Promise<TokenRegistry> {
  const dir = tempDir('jindr-token-auth-');
  const signing = selfSigned(dir, 'token-signer');
  const tokens = await startTokenServer({ users, signing });
  let registry: TestRegistry;
  try {
    registry = await withDir(dir, () =>
      startTestRegistry({
        image: options.image,
        env: {
          REGISTRY_AUTH: 'token',
          REGISTRY_AUTH_TOKEN_REALM: tokens.url,
          REGISTRY_AUTH_TOKEN_SERVICE: tokens.service,
          REGISTRY_AUTH_TOKEN_ISSUER: tokens.issuer,
          REGISTRY_AUTH_TOKEN_ROOTCERTBUNDLE: '/auth/token-signer.pem',
        },
        volumes: { [dir]: '/auth' },
      }),
    );
  } catch (err) {
    await tokens.close();
    throw err;
  }
  return {
    ...registry,
    users,
    tokens,
    remove: async () => {
      await registry.remove();
      await tokens.close();
    },
  };
}

export interface TlsRegistry extends TestRegistry {
  /** IP:PORT on a non-loopback address, where clients verify TLS (loopback registries count as insecure). */
  verifiedHost?: string;
}

/**
 * A registry serving HTTPS with a certificate from pki's CA (optionally asking for client
 * certificates). With `publishOn`, it is also published on that address (on its own free
 * port), where TLS is verified as for any remote registry.
 */
export async function startTlsRegistry(
  pki: Pki,
  options: { image?: string; requireClientCert?: boolean; publishOn?: string; dnsNames?: string[] } = {},
): Promise<TlsRegistry> {
  const server = pki.server(
    `server-${Math.random().toString(36).slice(2, 8)}`,
    options.publishOn ? [options.publishOn] : [],
    options.dnsNames,
  );
  const dir = tempDir('jindr-tls-');
  writeFileSync(join(dir, 'server.pem'), server.cert);
  writeFileSync(join(dir, 'server-key.pem'), server.key);
  writeFileSync(join(dir, 'ca.pem'), pki.ca.cert);
  const env: Record<string, string> = {
    REGISTRY_HTTP_TLS_CERTIFICATE: '/tls/server.pem',
    REGISTRY_HTTP_TLS_KEY: '/tls/server-key.pem',
  };
  const volumes: Record<string, string> = { [dir]: '/tls' };
  let command: string[] | undefined;
  if (options.requireClientCert) {
    // http.tls.clientcas is a list, which environment variables cannot express: a config file.
    writeFileSync(
      join(dir, 'config.yml'),
      [
        'version: 0.1',
        'storage:',
        '  filesystem:',
        '    rootdirectory: /var/lib/registry',
        '  delete:',
        '    enabled: true',
        'http:',
        '  addr: :5000',
        '  tls:',
        '    certificate: /tls/server.pem',
        '    key: /tls/server-key.pem',
        '    clientcas:',
        '      - /tls/ca.pem',
        '',
      ].join('\n'),
    );
    command = ['/tls/config.yml'];
  }
  // Published on another address too: a container on a bridge, not on the host's network.
  const network = options.publishOn ? { network: 'bridge', publishOn: options.publishOn } : {};
  const registry = await withDir(dir, () => startTestRegistry({ image: options.image, env, volumes, command, ...network }));
  return { ...registry, ...(registry.published ? { verifiedHost: registry.published } : {}) };
}
