/**
 * The git endpoint: `/<app>.git/info/refs`, `/<app>.git/git-upload-pack` and
 * `/<app>.git/git-receive-pack`, served by the real `git http-backend` CGI. HTTP basic auth with
 * the API token as password; only the app's owner, collaborators and admins see the repo (others
 * get 404). Also serves the internal callback of the pre-receive hook.
 */
import { spawn } from 'node:child_process';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { isValidAppName } from '@slipway/contract';
import type { Logger } from '../log/index.js';
import type { AppRecord, UserRecord } from '../store/types.js';
import { SlipwayError } from '../errors.js';

export const HOOK_PATH = '/internal/git/pre-receive';

export interface RefUpdate {
  old: string;
  new: string;
  ref: string;
}

export interface Push {
  app: AppRecord;
  user: UserRecord;
  repoDir: string;
}

export interface HookRequest {
  updates: RefUpdate[];
  objectDirectory: string | null;
  alternateObjectDirectories: string | null;
}

export interface GitHttpDeps {
  reposDir: string;
  internalToken: string;
  logger: Logger;
  authenticate(req: IncomingMessage): Promise<UserRecord | undefined>;
  /** The app if the user may see it, else throws (not found). */
  resolveApp(user: UserRecord, name: string): Promise<AppRecord>;
  repoDirFor(app: AppRecord): string;
  ensureRepo(dir: string): Promise<void>;
  /** Runs the push's build, writing output to `write`; resolves with the hook's exit status. */
  receive(push: Push, hook: HookRequest, write: (text: string) => void, signal: AbortSignal): Promise<number>;
}

const APP_PATH = /^\/([^/]+)\.git(\/.*)?$/;
const SERVICES = new Set(['git-upload-pack', 'git-receive-pack']);

/** Pure: is this a smart-HTTP request we serve? */
export function classifyGitRequest(method: string, pathname: string, query: URLSearchParams): { app: string; rest: string; service: string } | 'not-git' | 'unsupported' {
  const m = APP_PATH.exec(pathname);
  if (!m) return 'not-git';
  const app = m[1];
  const rest = m[2] ?? '/';
  if (method === 'GET' && rest === '/info/refs') {
    const service = query.get('service') ?? '';
    return SERVICES.has(service) ? { app, rest, service } : 'unsupported';
  }
  if (method === 'POST' && SERVICES.has(rest.slice(1))) return { app, rest, service: rest.slice(1) };
  return 'unsupported';
}

export function createGitHttp(deps: GitHttpDeps) {
  const tickets = new Map<string, Push>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://git.local');
    if (url.pathname === HOOK_PATH) {
      await handleHook(req, res);
      return true;
    }
    const kind = classifyGitRequest(req.method ?? 'GET', url.pathname, url.searchParams);
    if (kind === 'not-git') return false;
    if (kind === 'unsupported') {
      text(res, 404, 'Not found: Slipway serves git over smart HTTP only.\n');
      return true;
    }
    const user = await deps.authenticate(req);
    if (!user) {
      res.setHeader('WWW-Authenticate', 'Basic realm="Slipway"');
      text(res, 401, 'Authentication required: use any user name and your API token as the password.\n');
      return true;
    }
    let app: AppRecord;
    try {
      if (!isValidAppName(kind.app)) throw new SlipwayError('not_found', 'not found');
      app = await deps.resolveApp(user, kind.app);
    } catch (err) {
      if (err instanceof SlipwayError && err.code === 'not_found') {
        text(res, 404, `Repository not found: no app named ${kind.app} is visible to you.\n`);
        return true;
      }
      throw err;
    }
    const dir = deps.repoDirFor(app);
    await deps.ensureRepo(dir);
    let ticket: string | undefined;
    if (kind.service === 'git-receive-pack' && req.method === 'POST') {
      ticket = randomBytes(24).toString('hex');
      tickets.set(ticket, { app, user, repoDir: dir });
    }
    try {
      await runBackend(req, res, {
        repoName: path.basename(dir), rest: kind.rest, query: url.search.slice(1), user, ticket,
        hookUrl: `http://${hostFor(req)}:${req.socket.localPort}${HOOK_PATH}`,
      });
    } finally {
      if (ticket) tickets.delete(ticket);
    }
    return true;
  }

  function runBackend(req: IncomingMessage, res: ServerResponse, o: { repoName: string; rest: string; query: string; user: UserRecord; ticket?: string; hookUrl: string }): Promise<void> {
    const env: Record<string, string> = {
      PATH: `${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
      HOME: deps.reposDir,
      GIT_PROJECT_ROOT: deps.reposDir,
      GIT_HTTP_EXPORT_ALL: '1',
      GIT_CONFIG_NOSYSTEM: '1',
      PATH_INFO: `/${o.repoName}${o.rest}`,
      REQUEST_METHOD: req.method ?? 'GET',
      QUERY_STRING: o.query,
      CONTENT_TYPE: String(req.headers['content-type'] ?? ''),
      REMOTE_USER: o.user.email,
      REMOTE_ADDR: req.socket.remoteAddress ?? '',
      SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
      GATEWAY_INTERFACE: 'CGI/1.1',
      SLIPWAY_HOOK_URL: o.hookUrl,
      SLIPWAY_HOOK_TOKEN: deps.internalToken,
      SLIPWAY_PUSH_TICKET: o.ticket ?? '',
    };
    const encoding = req.headers['content-encoding'];
    if (typeof encoding === 'string') env.HTTP_CONTENT_ENCODING = encoding;
    const protocol = req.headers['git-protocol'];
    if (typeof protocol === 'string') env.GIT_PROTOCOL = protocol;
    if (req.headers['content-length'] !== undefined) env.CONTENT_LENGTH = String(req.headers['content-length']);

    return new Promise((resolve) => {
      const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        if (stderr.length < 8192) stderr += d.toString('utf8');
      });
      req.pipe(child.stdin);
      child.stdin.on('error', () => undefined);
      req.on('aborted', () => child.kill('SIGTERM'));
      res.on('close', () => {
        if (child.exitCode === null) child.kill('SIGTERM');
      });
      let head = Buffer.alloc(0);
      let headerDone = false;
      child.stdout.on('data', (chunk: Buffer) => {
        if (headerDone) {
          res.write(chunk);
          return;
        }
        head = Buffer.concat([head, chunk]);
        const parsed = parseCgiHead(head);
        if (!parsed) {
          if (head.length > 64 * 1024) child.kill('SIGKILL');
          return;
        }
        headerDone = true;
        res.writeHead(parsed.status, parsed.headers);
        if (parsed.body.length > 0) res.write(parsed.body);
      });
      child.on('error', (err) => {
        deps.logger.error('git.backend_failed', { error: err.message });
      });
      child.on('close', (code) => {
        if (!headerDone) {
          if (!res.headersSent) text(res, 500, 'git http-backend failed.\n');
        } else {
          res.end();
        }
        if (code !== 0) deps.logger.warn('git.backend_exit', { code, stderr: stderr.trim().slice(0, 500) });
        resolve();
      });
    });
  }

  async function handleHook(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const auth = String(req.headers.authorization ?? '');
    const want = Buffer.from(`Bearer ${deps.internalToken}`);
    const got = Buffer.from(auth);
    if (deps.internalToken === '' || req.method !== 'POST' || want.length !== got.length || !timingSafeEqual(want, got)) {
      text(res, 404, 'Not found.\n');
      return;
    }
    let body: { ticket?: unknown; updates?: unknown; objectDirectory?: unknown; alternateObjectDirectories?: unknown };
    try {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of req) {
        size += (c as Buffer).length;
        if (size > 1024 * 1024) throw new Error('too large');
        chunks.push(c as Buffer);
      }
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      text(res, 400, 'Bad hook request.\n');
      return;
    }
    const push = typeof body.ticket === 'string' ? tickets.get(body.ticket) : undefined;
    if (!push) {
      text(res, 404, 'Unknown push.\n');
      return;
    }
    const updates = Array.isArray(body.updates) ? (body.updates as RefUpdate[]).filter((u) => u && typeof u.ref === 'string' && typeof u.old === 'string' && typeof u.new === 'string') : [];
    const inside = (p: unknown): p is string => typeof p === 'string' && p.split(':').every((d) => path.resolve(d).startsWith(push.repoDir + path.sep));
    const hook: HookRequest = {
      updates,
      objectDirectory: inside(body.objectDirectory) ? body.objectDirectory : null,
      alternateObjectDirectories: inside(body.alternateObjectDirectories) ? body.alternateObjectDirectories : null,
    };
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', Trailer: 'X-Slipway-Exit' });
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    let status = 1;
    try {
      status = await deps.receive(push, hook, (t) => {
        if (!res.writableEnded) res.write(t);
      }, abort.signal);
    } catch (err) {
      deps.logger.error('git.receive_failed', { app: push.app.name, error: (err as Error)?.stack ?? String(err) });
      if (!res.writableEnded) res.write(' !     Internal error while building; the push was rejected.\n');
    }
    res.addTrailers({ 'X-Slipway-Exit': String(status) });
    res.end();
  }

  return { handle };
}

/** Pure: splits a CGI response into status, headers and the first body bytes; undefined until complete. */
export function parseCgiHead(buf: Buffer): { status: number; headers: Record<string, string>; body: Buffer } | undefined {
  let end = buf.indexOf('\r\n\r\n');
  let sep = 4;
  const lf = buf.indexOf('\n\n');
  if (lf >= 0 && (end < 0 || lf < end)) {
    end = lf;
    sep = 2;
  }
  if (end < 0) return undefined;
  const headers: Record<string, string> = {};
  let status = 200;
  for (const line of buf.subarray(0, end).toString('latin1').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim();
    const value = line.slice(i + 1).trim();
    if (name.toLowerCase() === 'status') status = parseInt(value, 10) || 200;
    else headers[name] = value;
  }
  return { status, headers, body: buf.subarray(end + sep) };
}

function hostFor(req: IncomingMessage): string {
  const addr = req.socket.localAddress ?? '127.0.0.1';
  if (addr === '::' || addr === '0.0.0.0' || addr === '::ffff:127.0.0.1') return '127.0.0.1';
  if (addr.startsWith('::ffff:')) return addr.slice(7);
  return addr.includes(':') ? `[${addr}]` : addr;
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
