/**
 * The API's route table: `{ method, path: '/apps/:app/config-vars', handler }`. Each resource file
 * under `api/routes/` exports its routes; `api/routes/index.ts` lists them all.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UserRecord } from '../../store/types.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  method: Method;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  requestId: string;
  /** The authenticated user; routes with `auth: false` get undefined. */
  user: UserRecord;
  /** Reads and parses the JSON body (empty body → {}). Throws bad_request on malformed JSON. */
  json(): Promise<unknown>;
}

export type Handler = (ctx: Ctx) => Promise<Reply | void>;

export interface Route {
  method: Method;
  /**
   * `:name` segments capture one path segment (URL-decoded). Only GET and HEAD also answer with a
   * trailing slash: a destructive route matches its exact path only.
   */
  path: string;
  handler: Handler;
  /** Default true. Public routes (token in URL, git with its own basic auth) set false. */
  auth?: boolean;
  /** The handler writes to `ctx.res` itself (streams, git, SSE). */
  raw?: boolean;
}

interface Compiled extends Route {
  regex: RegExp;
  keys: string[];
}

export class RouteTable {
  private readonly routes: Compiled[] = [];

  constructor(routes: Route[] = []) {
    for (const r of routes) this.add(r);
  }

  add(route: Route): void {
    const keys: string[] = [];
    const pattern = route.path
      .split('/')
      .map((seg) => {
        if (seg.startsWith(':')) {
          keys.push(seg.slice(1));
          return '([^/]+)';
        }
        return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    const slash = route.method === 'GET' || route.method === 'HEAD' ? '/?' : '';
    this.routes.push({ ...route, regex: new RegExp(`^${pattern}${slash}$`), keys });
  }

  /** Every route, in matching order (method and path pattern). */
  list(): { method: Method; path: string }[] {
    return this.routes.map((r) => ({ method: r.method, path: r.path }));
  }

  /**
   * The matching route, or which methods the path allows (for 405). `path` is the raw path: a
   * parameter that decodes to a dot-segment or holds a control character matches nothing.
   */
  match(method: string, path: string): { route: Compiled; params: Record<string, string> } | { allowed: string[] } {
    const allowed: string[] = [];
    for (const r of this.routes) {
      const m = r.regex.exec(path);
      if (!m) continue;
      if (r.method !== method && !(method === 'HEAD' && r.method === 'GET')) {
        allowed.push(r.method);
        continue;
      }
      const params: Record<string, string> = {};
      let usable = true;
      r.keys.forEach((k, i) => {
        const value = safeDecode(m[i + 1]);
        // eslint-disable-next-line no-control-regex -- control characters are what is looked for
        if (value === '.' || value === '..' || /[\u0000-\u001f\u007f]/.test(value)) usable = false;
        params[k] = value;
      });
      if (!usable) return { allowed: [] };
      return { route: r, params };
    }
    return { allowed };
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
