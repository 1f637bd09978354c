// Why a remote engine (ssh://, tcp:// with TLS) refused us, said so that the user knows
// which file to fix. The engine is running in these cases: "is it running?" would mislead.
import type { ResolvedEndpoint } from './endpoint.ts';
import { EngineUnreachableError } from '../errors.ts';

/** Client-side certificate checks failing: the engine's certificate is not one we trust. */
const UNTRUSTED_SERVER = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** TLS alerts the engine sends when it wants a client certificate it trusts. */
const CLIENT_CERT_REFUSED =
  /^ERR_SSL_(TLSV13_ALERT_CERTIFICATE_REQUIRED|TLSV1_ALERT_UNKNOWN_CA|SSLV3_ALERT_BAD_CERTIFICATE|SSLV3_ALERT_HANDSHAKE_FAILURE|TLSV1_ALERT_ACCESS_DENIED|SSLV3_ALERT_CERTIFICATE_(UNKNOWN|REVOKED|EXPIRED|UNSUPPORTED))$/;

/** What to do about a failed connection to a remote engine, or undefined when it is not one of these. */
export function remoteFailureHint(endpoint: ResolvedEndpoint, err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  // ssh-agent.ts says why ssh failed, in ssh's own words (sshFailure).
  if (endpoint.host.startsWith('ssh://')) return err instanceof EngineUnreachableError ? err.message : undefined;
  if (!endpoint.tls) return undefined;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (UNTRUSTED_SERVER.has(code)) {
    const ca = endpoint.tls.ca ?? 'no CA file';
    return `its TLS certificate is not trusted (${err.message}): is ${ca} the CA that signed it?`;
  }
  if (CLIENT_CERT_REFUSED.test(code)) {
    const wanted = 'it wants a client certificate signed by a CA it trusts, and its key (cert.pem, key.pem)';
    return endpoint.tls.cert
      ? `it refused our client certificate ${endpoint.tls.cert}: ${wanted}`
      : `we sent no client certificate: ${wanted}`;
  }
  return undefined;
}

/**
 * One line for an ssh process that failed, naming the host: ssh's own last line on stderr
 * ("Host key verification failed.", "Permission denied (publickey).", the remote shell's
 * "docker: command not found"), and what to check when it is one of those.
 */
export function sshFailure(host: string, code: number | null, signal: string | null, stderr: string): string {
  const last = stderr
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .at(-1);
  const said = last ?? `it ended with ${code === null ? `signal ${signal}` : `exit code ${code}`} and said nothing`;
  let check = '';
  if (last?.startsWith('Host key verification failed')) {
    check = `: is the host key of ${host} in your known_hosts? (connect once with ssh ${host} to check it and add it)`;
  } else if (last?.includes('Permission denied')) {
    check = `: does ssh ${host} log in without a password? (a key in ssh-agent, or IdentityFile in ~/.ssh/config)`;
  } else if (code === 127) {
    check = `: is Docker installed on ${host}, on the PATH of a non-interactive ssh session?`;
  }
  return `ssh ${host} failed: ${said}${check}`;
}
