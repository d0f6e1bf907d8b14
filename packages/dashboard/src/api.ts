/**
 * The dashboard's only door to the platform: the public Platform API, same origin, the session
 * cookie sent by the browser and the CSRF token in a header on every state-changing request.
 * Errors come back as Heroku's `{id, message}` and are thrown as ApiError for the control to show.
 */
export class ApiError extends Error {
  constructor(readonly status: number, readonly id: string, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrf = '';

export function setCsrfToken(token: string): void {
  csrf = token;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
}

export async function api<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/vnd.heroku+json; version=3', ...opts.headers };
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrf;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network_error', 'The platform did not answer. Is it running?');
  }
  const text = await res.text();
  let data: unknown = undefined;
  if (text !== '') {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!res.ok) {
    const err = data as { id?: string; message?: string } | undefined;
    throw new ApiError(res.status, err?.id ?? 'error', err?.message ?? `${res.status} ${res.statusText}`);
  }
  return data as T;
}

export const get = <T>(path: string, headers?: Record<string, string>) => api<T>('GET', path, { headers });
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, { body });
export const patch = <T>(path: string, body?: unknown) => api<T>('PATCH', path, { body });
export const put = <T>(path: string, body?: unknown) => api<T>('PUT', path, { body });
export const del = <T>(path: string) => api<T>('DELETE', path);

/** `/apps/NAME/…` with the name escaped. */
export const appPath = (app: string, rest = '') => `/apps/${encodeURIComponent(app)}${rest}`;

/**
 * The platform hands out absolute URLs (`output_stream_url`, `logplex_url`, `put_url`) built from
 * its configured base URL; the dashboard always fetches them from its own origin (same path), so
 * the CSP's `connect-src 'self'` holds whatever host name the browser used.
 */
export function sameOrigin(url: string): string {
  const u = new URL(url, location.origin);
  return u.pathname + u.search;
}
