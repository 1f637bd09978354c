// The page's only connection: docker-jindr's own JSON API, same origin. The session
// cookie goes along by itself; no credential of any registry is ever here.
import type { ErrorAnswer } from '../api-types.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly body: ErrorAnswer & Record<string, unknown>;
  constructor(status: number, body: ErrorAnswer & Record<string, unknown>) {
    super(body.error);
    this.status = status;
    this.body = body;
  }
}

async function answer<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = { error: text.trim() || `HTTP ${response.status}` };
  }
  if (!response.ok) {
    const b = (typeof body === 'object' && body !== null ? body : {}) as ErrorAnswer & Record<string, unknown>;
    throw new ApiError(response.status, { ...b, error: typeof b.error === 'string' ? b.error : `HTTP ${response.status}` });
  }
  return body as T;
}

export async function get<T>(path: string, params: Record<string, string> = {}): Promise<T> {
  const query = new URLSearchParams(params).toString();
  return answer<T>(await fetch(`/api/${path}${query ? `?${query}` : ''}`, { credentials: 'same-origin' }));
}

export async function post<T>(path: string, body: unknown): Promise<T> {
  return answer<T>(
    await fetch(`/api/${path}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  );
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
