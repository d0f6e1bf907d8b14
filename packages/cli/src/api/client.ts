/**
 * The Platform API client over global fetch: Heroku's Accept header, Bearer token, `Range` and
 * `Next-Range` pagination, and Heroku error bodies turned into one-line errors.
 */
import { ACCEPT_V3 } from '@slipway/contract';
import { ApiError, CliError } from '../framework/errors.js';

export type Fetch = typeof globalThis.fetch;
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent as the `Range` header. */
  range?: string;
  /** Do not follow `Next-Range` (only the first page). */
  partial?: boolean;
}

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

export interface ApiClient {
  readonly baseUrl: string;
  request<T>(method: HttpMethod, path: string, opts?: RequestOptions): Promise<ApiResponse<T>>;
  get<T>(path: string, opts?: RequestOptions): Promise<T>;
  post<T>(path: string, body?: unknown, opts?: RequestOptions): Promise<T>;
  patch<T>(path: string, body?: unknown, opts?: RequestOptions): Promise<T>;
  put<T>(path: string, body?: unknown, opts?: RequestOptions): Promise<T>;
  delete<T>(path: string, opts?: RequestOptions): Promise<T>;
}

export interface ApiClientDeps {
  baseUrl: string;
  /** The token, or a function that finds it (read lazily from ~/.netrc). */
  token?: string | (() => Promise<string | undefined>);
  fetch?: Fetch;
  userAgent?: string;
}

const MAX_PAGES = 1000;

/** Builds a path, URL-encoding every interpolated value: path`/apps/${app}/dynos/${name}`. */
export function path(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? encodeURIComponent(String(values[i])) : ''), '');
}

export function createApiClient(deps: ApiClientDeps): ApiClient {
  const doFetch = deps.fetch ?? globalThis.fetch;
  const baseUrl = deps.baseUrl.replace(/\/+$/, '');

  async function once<T>(method: HttpMethod, p: string, opts: RequestOptions, range?: string): Promise<ApiResponse<T>> {
    const url = baseUrl + p;
    const headers: Record<string, string> = {
      Accept: ACCEPT_V3,
      'User-Agent': deps.userAgent ?? `slipway-cli node-${process.version}`,
      ...(opts.headers ?? {}),
    };
    const token = typeof deps.token === 'function' ? await deps.token() : deps.token;
    if (token) headers.Authorization = `Bearer ${token}`;
    if (range !== undefined) headers.Range = range;
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['Content-Type'] = 'application/json';
    }
    let res: Response;
    try {
      res = await doFetch(url, { method, headers, body });
    } catch (err) {
      throw networkError(baseUrl, err);
    }
    const text = await res.text().catch((err: unknown) => {
      throw networkError(baseUrl, err);
    });
    const type = res.headers.get('content-type') ?? '';
    let parsed: unknown = text;
    if (/^application\/json|\+json/i.test(type) && text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (res.status < 200 || res.status > 299) throw httpError(res.status, method, url, parsed);
    return { status: res.status, headers: res.headers, body: (text === '' ? {} : parsed) as T };
  }

  async function request<T>(method: HttpMethod, p: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
    const first = await once<T>(method, p, opts, opts.range);
    if (method !== 'GET' || opts.partial || !Array.isArray(first.body)) return first;
    const all: unknown[] = [...first.body];
    let next = first.status === 206 ? first.headers.get('next-range') : null;
    for (let pages = 1; next && pages < MAX_PAGES; pages++) {
      const page = await once<unknown[]>(method, p, opts, next);
      if (!Array.isArray(page.body)) break;
      all.push(...page.body);
      next = page.status === 206 ? page.headers.get('next-range') : null;
    }
    return { ...first, body: all as T };
  }

  return {
    baseUrl,
    request,
    get: async (p, opts) => (await request('GET', p, opts)).body as never,
    post: async (p, body, opts) => (await request('POST', p, { ...opts, body })).body as never,
    patch: async (p, body, opts) => (await request('PATCH', p, { ...opts, body })).body as never,
    put: async (p, body, opts) => (await request('PUT', p, { ...opts, body })).body as never,
    delete: async (p, opts) => (await request('DELETE', p, opts)).body as never,
  };
}

function networkError(baseUrl: string, err: unknown): CliError {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  const why = cause?.code ?? cause?.message ?? (err as Error)?.message ?? String(err);
  return new CliError(`Cannot reach the Slipway API at ${baseUrl} (${why}). Is \`slipway server\` running, and is SLIPWAY_API_URL right?`);
}

function httpError(status: number, method: string, url: string, body: unknown): CliError {
  if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') {
    const b = body as { id?: string; message: string };
    const err = new ApiError(status, { ...b, message: oneLine(b.message) });
    if (status === 401) err.message += ' Log in with `slipway login` or set SLIPWAY_API_KEY.';
    return err;
  }
  const text = typeof body === 'string' ? oneLine(body).slice(0, 200) : '';
  return new CliError(`HTTP Error ${status} for ${method} ${url}${text ? `: ${text}` : ''}`);
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}
