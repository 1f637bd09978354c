// Docker's own global flags (before `jindr` on the command line) that choose and reach
// the engine: --config, --context, -H, the TLS flags. Read by src/cli/parse.ts (pluginLine).
export interface DockerGlobals {
  config?: string;
  context?: string;
  debug: boolean;
  host?: string;
  logLevel?: string;
  tls: boolean;
  tlsVerify: boolean;
  tlsCaCert?: string;
  tlsCert?: string;
  tlsKey?: string;
}
