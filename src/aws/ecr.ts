// Amazon ECR's control plane for `cpe`: a registry login from GetAuthorizationToken,
// and the destination repository, created when missing with a lifecycle policy.
// Loaded only by cpe (dynamic import): the AWS SDK is large and slows every start.
// Credentials, region and endpoint come from the SDK's standard chains
// (AWS_* variables, ~/.aws profiles, SSO, instance roles; AWS_ENDPOINT_URL_ECR).
// The caller's network, when given, carries the proxies (HTTPS_PROXY...): an https Agent
// that tunnels where a proxy applies, and plain HTTP re-addressed to the proxy after signing.
import type { Agent as HttpsAgent } from 'node:https';
import {
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  PutLifecyclePolicyCommand,
  RepositoryNotFoundException,
  RepositoryAlreadyExistsException,
} from '@aws-sdk/client-ecr';
import { AuthError, JindrError } from '../errors.ts';
import * as shape from '../json-shape.ts';

export interface EcrLogin {
  /** host[:port] of the registry, from the token's proxyEndpoint. */
  host: string;
  scheme: 'http' | 'https';
  username: string;
  password: string;
}

export interface Ecr {
  region: string;
  login(): Promise<EcrLogin>;
  /** Creates the repository when missing (with the lifecycle policy); true when it was created. */
  ensureRepository(name: string, keep: number): Promise<boolean>;
  close(): void;
}

/** Untagged images go after a day; of the rest, the newest `keep` stay. */
export function lifecyclePolicy(keep: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: 'Expire untagged images after 1 day',
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        description: `Keep the newest ${keep} images`,
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: keep },
        action: { type: 'expire' },
      },
    ],
  });
}

/** Where the SDK looks for credentials (its default chain), for the message when it found none. */
export const CREDENTIAL_SOURCES =
  'the environment (AWS_ACCESS_KEY_ID with AWS_SECRET_ACCESS_KEY, or AWS_PROFILE), ~/.aws/credentials and ~/.aws/config ' +
  '(AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE), AWS SSO (aws sso login), and the instance or container metadata service';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
]);

/** The SDK's own errors, said in one line without a stack (credentials never appear in them). */
function awsError(what: string, err: unknown, endpoint: string | undefined): JindrError {
  const e = err as { name?: string; message?: string; code?: string };
  const name = e.name ?? 'Error';
  const message = e.message ?? String(err);
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    // Nothing was sent: AWS did not refuse anything, there was nothing to send.
    return new AuthError(
      `${what}: no AWS credentials found; looked in ${CREDENTIAL_SOURCES}: set them up (aws configure, or aws sso login) and run again`,
      { cause: err },
    );
  }
  if ((e.code !== undefined && NETWORK_CODES.has(e.code)) || name === 'TimeoutError') {
    const at = endpoint ?? 'the ECR endpoint';
    return new JindrError(`${what}: could not reach AWS ECR at ${at} (${message}): check the network, or AWS_ENDPOINT_URL_ECR`, {
      cause: err,
    });
  }
  if (/ExpiredToken|UnrecognizedClient|InvalidSignature|AccessDenied|NotAuthorized|InvalidClientToken/i.test(name + ' ' + message)) {
    return new AuthError(`AWS refused ${what}: ${message} (check your AWS credentials, e.g. aws sts get-caller-identity)`, { cause: err });
  }
  if (/region/i.test(message) && /missing/i.test(message)) {
    return new JindrError(`${what}: no AWS region: pass --region or set AWS_REGION`, { cause: err });
  }
  return new JindrError(`AWS ${what} failed: ${name}: ${message}`, { cause: err });
}

/** GetAuthorizationToken's answer: base64 "user:password" and the registry's address. Never quotes either. */
export function readEcrLogin(output: unknown): EcrLogin {
  return shape.readValue(
    output,
    (value) => {
      const data = new shape.Fields(value).get('authorizationData', shape.arrayOf(shape.fields))[0];
      if (data === undefined) throw new shape.ShapeError('authorizationData', 'empty');
      const token = data.get('authorizationToken', shape.nonEmptyString);
      const proxyEndpoint = data.get('proxyEndpoint', shape.nonEmptyString);
      const decoded = Buffer.from(token, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) throw data.error('authorizationToken', 'not base64 of user:password');
      let endpoint: URL;
      try {
        endpoint = new URL(proxyEndpoint.includes('://') ? proxyEndpoint : `https://${proxyEndpoint}`);
      } catch {
        throw data.error('proxyEndpoint', 'not a URL');
      }
      if (endpoint.host === '') throw data.error('proxyEndpoint', 'a URL without a host');
      return {
        host: endpoint.host,
        scheme: endpoint.protocol === 'http:' ? 'http' : 'https',
        username: decoded.slice(0, colon),
        password: decoded.slice(colon + 1),
      };
    },
    (problem) => new AuthError(`ECR sent a malformed authorization (${problem}): try again, or check the ECR endpoint`),
  );
}

/** How requests reach ECR when a proxy applies (src/registry/proxy-agents.ts makes it; this room imports no other). */
export interface EcrNetwork {
  httpsAgent: HttpsAgent;
  forward(url: URL): { hostname: string; port: number; path: string; headers: Record<string, string> } | undefined;
}

export function connectEcr(options: { region?: string; signal?: AbortSignal; network?: EcrNetwork | undefined }): Ecr {
  const network = options.network;
  const client = new ECRClient({
    ...(options.region ? { region: options.region } : {}),
    ...(network ? { requestHandler: { httpsAgent: network.httpsAgent } } : {}),
  });
  if (network) {
    // After signing (the signature covers the origin-form path and Host, which the proxy passes on).
    client.middlewareStack.add(
      (next) => async (args) => {
        const r = args.request as {
          protocol?: string;
          hostname?: string;
          port?: number;
          path?: string;
          query?: Record<string, unknown>;
          headers?: Record<string, string>;
        };
        const plain = r.protocol === 'http:' && r.hostname !== undefined && Object.keys(r.query ?? {}).length === 0;
        const target = plain ? network.forward(new URL(`http://${r.hostname}${r.port ? `:${r.port}` : ''}${r.path ?? '/'}`)) : undefined;
        if (target === undefined) return next(args);
        const request = Object.assign(Object.create(Object.getPrototypeOf(r) as object) as object, r, {
          hostname: target.hostname,
          port: target.port,
          path: target.path,
          headers: { ...r.headers, ...target.headers },
        });
        return next({ ...args, request });
      },
      { step: 'deserialize', name: 'jindrProxy', priority: 'low' },
    );
  }
  const abortSignal = options.signal;
  let region = options.region ?? '';
  // The URL each request goes to, as the SDK resolved it: named when it cannot be reached.
  let endpoint: string | undefined;
  client.middlewareStack.add(
    (next) => async (args) => {
      const r = args.request as { protocol?: string; hostname?: string; port?: number };
      if (r.hostname) endpoint = `${r.protocol ?? 'https:'}//${r.hostname}${r.port ? `:${r.port}` : ''}`;
      return next(args);
    },
    { step: 'finalizeRequest', name: 'jindrEndpoint' },
  );
  const fail = (what: string, err: unknown): JindrError => awsError(what, err, endpoint);
  return {
    get region() {
      return region;
    },
    async login() {
      let output;
      try {
        region = await client.config.region();
        output = await client.send(new GetAuthorizationTokenCommand({}), { abortSignal });
      } catch (err) {
        throw fail('GetAuthorizationToken', err);
      }
      return readEcrLogin(output);
    },
    async ensureRepository(name, keep) {
      try {
        await client.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }), { abortSignal });
        return false;
      } catch (err) {
        if (!(err instanceof RepositoryNotFoundException)) throw fail(`DescribeRepositories ${name}`, err);
      }
      try {
        await client.send(new CreateRepositoryCommand({ repositoryName: name }), { abortSignal });
      } catch (err) {
        if (err instanceof RepositoryAlreadyExistsException) return false; // created meanwhile by someone else
        throw fail(`CreateRepository ${name}`, err);
      }
      try {
        await client.send(new PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: lifecyclePolicy(keep) }), {
          abortSignal,
        });
      } catch (err) {
        // Left without its policy, the repository would keep every image, and the next cpe
        // finds it there and leaves it so: the empty repository just made goes again.
        const failure = fail(`PutLifecyclePolicy ${name}`, err);
        const removed = await client.send(new DeleteRepositoryCommand({ repositoryName: name })).then(
          () => true,
          () => false,
        );
        if (!removed) {
          failure.message += `; the repository ${name} is left without a lifecycle policy: delete it (aws ecr delete-repository --repository-name ${name}) or give it one`;
        }
        throw failure;
      }
      return true;
    },
    close: () => client.destroy(),
  };
}
