/**
 * The dashboard room: serves the browser bundle (`packages/dashboard`, built by `npm run build`) on
 * the API port. The dashboard is `GET /` and everything under `/dashboard/` (its assets and its
 * client-side routes, which all answer with index.html); every other path stays the Platform API's.
 * A request that asks for Heroku's JSON (`Accept: application/vnd.heroku+json`) is never taken.
 * Every page gets a Content-Security-Policy without inline scripts or styles.
 */
import type http from 'node:http';
import type { Logger } from '../log/index.js';
import { loadStaticFiles, type StaticFile } from './static-files.js';

export const DASHBOARD_PREFIX = '/dashboard/';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "font-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

export interface Dashboard {
  /** Serves the request when it is the dashboard's; false leaves it to the API. */
  handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean>;
}

/** True for requests the dashboard answers. Pure. */
export function isDashboardRequest(method: string | undefined, url: string | undefined, accept: string | undefined): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  if (accept !== undefined && /application\/vnd\.heroku\+json/i.test(accept)) return false;
  const pathname = (url ?? '/').split('?')[0];
  return pathname === '/' || pathname === '/dashboard' || pathname.startsWith(DASHBOARD_PREFIX);
}

export function createDashboard(deps: { dir: string; logger: Logger }): Dashboard {
  let files: Promise<Map<string, StaticFile>> | undefined;
  const load = () => (files ??= loadStaticFiles(deps.dir).catch((err: NodeJS.ErrnoException) => {
    deps.logger.warn('dashboard.not_built', { dir: deps.dir, error: err.code ?? String(err) });
    files = undefined;
    return new Map<string, StaticFile>();
  }));
  return {
    async handle(req, res) {
      if (!isDashboardRequest(req.method, req.url, req.headers.accept)) return false;
      const all = await load();
      const pathname = decodeURIComponentSafe((req.url ?? '/').split('?')[0]);
      const rel = pathname.startsWith(DASHBOARD_PREFIX) ? pathname.slice(DASHBOARD_PREFIX.length) : '';
      // Client-side routes (anything that is not a file of the bundle) get the page itself.
      let file = all.get(rel);
      if (!file && rel.startsWith('assets/')) return notFound(res, 'No such dashboard asset.');
      file ??= all.get('index.html');
      if (!file) return notFound(res, 'The dashboard is not built: run `npm run build` at the repository root.');
      const gzip = file.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
      const body = gzip ? file.gzip! : file.body;
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': file.type,
        'Content-Length': body.length,
        'Cache-Control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        Vary: 'Accept-Encoding',
        ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    },
  };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function notFound(res: http.ServerResponse, text: string): true {
  res.writeHead(404, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text + '\n');
  return true;
}
