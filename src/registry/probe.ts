// What a registry asks of its clients, learned from one GET /v2/: TLS (a plain request to a
// TLS port is answered "HTTP request to an HTTPS server") and authentication (a 401 and its
// challenge). For `info` and `stat`; never sends credentials, never verifies certificates
// (it only looks), and gives up after a short time.
import { HttpPool, bodyText } from './http-pool.ts';

export interface ProbeResult {
  tls: boolean;
  /** 'basic' or 'bearer' when /v2/ answers 401, null when it lets anyone in. */
  auth: 'basic' | 'bearer' | 'other' | null;
}

const TIMEOUT_MS = 2000;

async function get(url: string, pool: HttpPool, signal?: AbortSignal): Promise<{ status: number; challenge: string; body: string }> {
  const response = await pool.request(new URL(url), {
    signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]) : AbortSignal.timeout(TIMEOUT_MS),
  });
  const body = (await bodyText(response.body)).slice(0, 500);
  const header = response.headers['www-authenticate'];
  return { status: response.statusCode, challenge: (Array.isArray(header) ? header[0] : header) ?? '', body };
}

function authOf(status: number, challenge: string): ProbeResult['auth'] {
  if (status !== 401) return null;
  if (/^\s*basic\b/i.test(challenge)) return 'basic';
  if (/^\s*bearer\b/i.test(challenge)) return 'bearer';
  return 'other';
}

/** hostPort e.g. "127.0.0.1:5001" or "[::1]:5001"; undefined when nothing sensible answers. */
export async function probeRegistry(hostPort: string, signal?: AbortSignal): Promise<ProbeResult | undefined> {
  const agent = new HttpPool({ connections: 1, timeoutMs: TIMEOUT_MS, tls: { rejectUnauthorized: false } });
  try {
    const plain = await get(`http://${hostPort}/v2/`, agent, signal);
    if (plain.status === 400 && /HTTP request to an HTTPS server/i.test(plain.body)) {
      const secure = await get(`https://${hostPort}/v2/`, agent, signal);
      return { tls: true, auth: authOf(secure.status, secure.challenge) };
    }
    if (plain.status === 200 || plain.status === 401) return { tls: false, auth: authOf(plain.status, plain.challenge) };
    return undefined;
  } catch {
    return undefined;
  } finally {
    await agent.close().catch(() => {});
  }
}
