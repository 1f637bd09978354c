// A local stand-in for Amazon ECR's control plane, speaking its JSON 1.1 protocol
// (POST /, X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Operation>), for the
// AWS SDK pointed here by AWS_ENDPOINT_URL_ECR. GetAuthorizationToken hands out
// base64 "AWS:<password>" for a real htpasswd registry and its address as proxyEndpoint.
import { createServer, type Server } from 'node:http';

export interface EcrCall {
  operation: string;
  input: Record<string, unknown>;
  /** The SigV4 Authorization header's access key, to check the SDK signed with the chain's credentials. */
  accessKeyId: string | undefined;
}

export interface EcrFake {
  endpoint: string;
  calls: EcrCall[];
  repositories: Map<string, { lifecyclePolicyText?: string }>;
  close(): Promise<void>;
}

export interface EcrFakeOptions {
  /** The backing registry, e.g. http://localhost:5005 */
  proxyEndpoint: string;
  password: string;
  registryId?: string;
  region?: string;
  /** Repositories that exist from the start. */
  existing?: string[];
  /** Operations answered with an AccessDeniedException. */
  deny?: string[];
}

const PREFIX = 'AmazonEC2ContainerRegistry_V20150921.';

export async function startEcrFake(options: EcrFakeOptions): Promise<EcrFake> {
  const registryId = options.registryId ?? '123456789012';
  const region = options.region ?? 'eu-west-1';
  const calls: EcrCall[] = [];
  const repositories = new Map<string, { lifecyclePolicyText?: string }>((options.existing ?? []).map((n) => [n, {}]));
  const host = new URL(options.proxyEndpoint).host;

  const repository = (name: string) => ({
    repositoryArn: `arn:aws:ecr:${region}:${registryId}:repository/${name}`,
    registryId,
    repositoryName: name,
    repositoryUri: `${host}/${name}`,
    createdAt: 1700000000,
    imageTagMutability: 'MUTABLE',
  });

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.startsWith(PREFIX) ? target.slice(PREFIX.length) : target;
      let input: Record<string, unknown> = {};
      try {
        input = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
      } catch {
        input = {};
      }
      const accessKeyId = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
      calls.push({ operation, input, accessKeyId });
      const reply = (status: number, value: unknown, errorType?: string) => {
        const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${calls.length}` };
        if (errorType) headers['x-amzn-errortype'] = errorType;
        res.writeHead(status, headers).end(JSON.stringify(value));
      };
      const fail = (type: string, message: string) => reply(400, { __type: type, message }, type);
      const name = typeof input.repositoryName === 'string' ? input.repositoryName : '';
      if (options.deny?.includes(operation)) return fail('AccessDeniedException', `not authorized to perform: ecr:${operation}`);
      switch (operation) {
        case 'GetAuthorizationToken':
          return reply(200, {
            authorizationData: [
              {
                authorizationToken: Buffer.from(`AWS:${options.password}`).toString('base64'),
                expiresAt: Math.floor(Date.now() / 1000) + 43200,
                proxyEndpoint: options.proxyEndpoint,
              },
            ],
          });
        case 'DescribeRepositories': {
          const names = Array.isArray(input.repositoryNames) ? (input.repositoryNames as string[]) : [...repositories.keys()];
          const missing = names.find((n) => !repositories.has(n));
          if (missing)
            return fail(
              'RepositoryNotFoundException',
              `The repository with name '${missing}' does not exist in the registry with id '${registryId}'`,
            );
          return reply(200, { repositories: names.map(repository) });
        }
        case 'CreateRepository':
          if (repositories.has(name))
            return fail(
              'RepositoryAlreadyExistsException',
              `The repository with name '${name}' already exists in the registry with id '${registryId}'`,
            );
          repositories.set(name, {});
          return reply(200, { repository: repository(name) });
        case 'PutLifecyclePolicy': {
          const repo = repositories.get(name);
          if (!repo)
            return fail(
              'RepositoryNotFoundException',
              `The repository with name '${name}' does not exist in the registry with id '${registryId}'`,
            );
          repo.lifecyclePolicyText = typeof input.lifecyclePolicyText === 'string' ? input.lifecyclePolicyText : '';
          return reply(200, { registryId, repositoryName: name, lifecyclePolicyText: repo.lifecyclePolicyText });
        }
        case 'DeleteRepository':
          if (!repositories.delete(name))
            return fail(
              'RepositoryNotFoundException',
              `The repository with name '${name}' does not exist in the registry with id '${registryId}'`,
            );
          return reply(200, { repository: repository(name) });
        default:
          return fail('UnknownOperationException', `unknown operation ${operation}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    calls,
    repositories,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
