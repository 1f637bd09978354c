// Why a remote engine (ssh://, tcp:// with TLS) refused us, said so that the user knows
// which file to fix. The engine is running in these cases: "is it running?" would mislead.
import type { ResolvedEndpoint } from './endpoint.ts';
import { parseSshHost } from './ssh.ts';

/** Client-side certificate checks failing: the engine's certificate is not one we trust. */
const UNTRUSTED_SERVER = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED', 'CERT_REJECTED', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** TLS alerts the engine sends when it wants a client certificate it trusts. */
const CLIENT_CERT_REFUSED = /^ERR_SSL_(TLSV13_ALERT_CERTIFICATE_REQUIRED|TLSV1_ALERT_UNKNOWN_CA|SSLV3_ALERT_BAD_CERTIFICATE|SSLV3_ALERT_HANDSHAKE_FAILURE|TLSV1_ALERT_ACCESS_DENIED|SSLV3_ALERT_CERTIFICATE_(UNKNOWN|REVOKED|EXPIRED|UNSUPPORTED))$/;

/** What to do about a failed connection to a remote engine, or undefined when it is not one of these. */
export function remoteFailureHint(endpoint: ResolvedEndpoint, err: unknown, env: NodeJS.ProcessEnv): string | undefined {
  if (!(err instanceof Error)) return undefined;
  if (endpoint.host.startsWith('ssh://')) return sshHint(endpoint.host, err, env);
  if (!endpoint.tls) return undefined;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (UNTRUSTED_SERVER.has(code)) {
    const ca = endpoint.tls.ca ?? 'no CA file';
    return `its TLS certificate is not trusted (${err.message}): is ${ca} the CA that signed it?`;
  }
  if (CLIENT_CERT_REFUSED.test(code)) {
    const wanted = 'it wants a client certificate signed by a CA it trusts, and its key (cert.pem, key.pem)';
    return endpoint.tls.cert ? `it refused our client certificate ${endpoint.tls.cert}: ${wanted}` : `we sent no client certificate: ${wanted}`;
  }
  return undefined;
}

function sshHint(host: string, err: Error, env: NodeJS.ProcessEnv): string | undefined {
  const target = parseSshHost(host, env);
  const name = target.port === 22 ? target.host : `[${target.host}]:${target.port}`;
  if (err.message === 'Host denied (verification failed)') {
    return `the ssh host key of ${name} is not in ~/.ssh/known_hosts or differs from the one there: check it, then add it (e.g. connect once with ssh)`;
  }
  if ((err as { level?: unknown }).level === 'client-authentication') {
    return `ssh refused our key for ${target.username}: offer one through ssh-agent (SSH_AUTH_SOCK) or as ~/.ssh/id_ed25519, id_ecdsa or id_rsa`;
  }
  return undefined;
}
