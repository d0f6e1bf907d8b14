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
  /** `:name` segments capture one path segment (URL-decoded). */
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
    this.routes.push({ ...route, regex: new RegExp(`^${pattern}/?$`), keys });
  }

  /** The matching route, or which methods the path allows (for 405). */
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
      r.keys.forEach((k, i) => {
        params[k] = safeDecode(m[i + 1]);
      });
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
