/**
 * The API's HTTP server: request ids, auth, JSON bodies, routing and the one place where
 * SlipwayError codes become HTTP statuses and Heroku's `{"id","message"}` bodies.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { API_ERRORS, type ApiErrorBody } from '@slipway/contract';
import { SlipwayError } from '../../errors.js';
import type { Logger } from '../../log/index.js';
import type { UserRecord } from '../../store/types.js';
import { ClientGoneError, drainBody, readJson } from './body.js';
import { isAmbiguousPath, parseRequestTarget } from './request-target.js';
import type { Ctx, Method, Reply, RouteTable } from './route-table.js';

export { MAX_JSON_BODY } from './body.js';

export interface ApiServerDeps {
  routes: RouteTable;
  /** Returns the user for a request's credentials, undefined when missing or invalid. */
  authenticate(req: http.IncomingMessage): Promise<UserRecord | undefined>;
  logger: Logger;
  /** Requests that are not API calls (git smart HTTP) are offered here first; true = handled. */
  preRoute?: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean>;
}

export function createApiHandler(deps: ApiServerDeps) {
  return (req: http.IncomingMessage, res: http.ServerResponse): void => {
    handle(deps, req, res).catch((err) => {
      deps.logger.error('api.unhandled', { error: String(err) });
      if (!res.headersSent) sendError(res, 'internal', new SlipwayError('internal_error', 'Internal server error.'));
      else res.destroy();
    });
  };
}

async function handle(deps: ApiServerDeps, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const requestId = pickRequestId(req.headers['request-id']);
  res.setHeader('Request-Id', requestId);
  const started = process.hrtime.bigint();
  res.on('finish', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    deps.logger.debug('api.request', { method: req.method, path: req.url, status: res.statusCode, ms: ms.toFixed(1), request_id: requestId });
  });
  // Routing is on the raw path; one that a URL parser would rewrite (dot-segments) is no path of ours.
  const url = parseRequestTarget(req.url);
  /** An answer before the route read anything: the body is drained (bounded) first. */
  const refuse = async (err: unknown): Promise<void> => {
    if (await settleBody(deps, req, res, url.path)) sendError(res, requestId, err);
  };
  if (isAmbiguousPath(url.path)) {
    return refuse(new SlipwayError('not_found', 'Paths with "." or ".." segments (or backslashes) are not served.'));
  }
  if (deps.preRoute && (await deps.preRoute(req, res))) return;

  const method = (req.method ?? 'GET').toUpperCase() as Method;
  const found = deps.routes.match(method, url.path);
  if (!('route' in found)) {
    if (found.allowed.length > 0) {
      res.setHeader('Allow', [...new Set(found.allowed)].join(', '));
      return refuse(new SlipwayError('method_not_allowed', `${method} is not allowed on ${url.path}.`));
    }
    return refuse(new SlipwayError('not_found', 'The requested API endpoint was not found. Are you using the right HTTP verb (i.e. `GET` vs. `POST`), and did you specify your intended version with the `Accept` header?'));
  }
  const { route, params } = found;
  let user: UserRecord | undefined;
  if (route.auth !== false) {
    try {
      user = await deps.authenticate(req);
    } catch (err) {
      // e.g. rate_limit: a SlipwayError thrown while authenticating is answered like a route's.
      return refuse(err);
    }
    if (!user) return refuse(new SlipwayError('unauthorized', 'Invalid credentials provided.'));
  }
  let bodyPromise: Promise<unknown> | undefined;
  const ctx: Ctx = {
    req, res, method, path: url.path, params, query: url.query, requestId,
    user: user as UserRecord,
    json: () => (bodyPromise ??= readJson(req)),
  };
  try {
    const reply = await route.handler(ctx);
    if (route.raw) return;
    if (await settleBody(deps, req, res, url.path)) sendReply(res, reply ?? {}, method);
  } catch (err) {
    if (err instanceof ClientGoneError) return clientGone(deps, req, url.path, err.received);
    if (res.headersSent) {
      deps.logger.warn('api.error_after_headers', { path: url.path, error: String(err) });
      res.destroy();
      return;
    }
    if (!(err instanceof SlipwayError)) deps.logger.error('api.error', { path: url.path, request_id: requestId, error: (err as Error)?.stack ?? String(err) });
    if (route.raw || (await settleBody(deps, req, res, url.path))) sendError(res, requestId, err);
  }
}

/**
 * What is left of the request body is drained (bounded) before answering; past the bound the
 * answer says `Connection: close`. False when the client is gone (nothing to answer).
 */
async function settleBody(deps: ApiServerDeps, req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<boolean> {
  const how = await drainBody(req);
  if (how === 'gone') {
    clientGone(deps, req, path, null);
    return false;
  }
  if (how === 'gave-up') res.setHeader('Connection', 'close');
  return true;
}

/** A client that hangs up mid-body is routine: one info line, no stack. */
function clientGone(deps: ApiServerDeps, req: http.IncomingMessage, path: string, received: number | null): void {
  deps.logger.info('api.client_disconnected', { method: req.method, path, received, remote: req.socket.remoteAddress });
}

function pickRequestId(header: string | string[] | undefined): string {
  const first = (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim();
  return first && /^[\w\-.:]{8,200}$/.test(first) ? first : randomUUID();
}

export function sendReply(res: http.ServerResponse, reply: Reply, method = 'GET'): void {
  const status = reply.status ?? 200;
  for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
  if (reply.body === undefined && status === 204) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(reply.body ?? {});
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(method === 'HEAD' ? undefined : text);
}

export function errorBody(err: unknown): { status: number; body: ApiErrorBody } {
  if (err instanceof SlipwayError) {
    const status = API_ERRORS[err.code]?.status ?? 500;
    const body: ApiErrorBody = { id: err.code, message: err.message };
    if (err.details.resource) body.resource = err.details.resource;
    return { status, body };
  }
  return { status: 500, body: { id: 'internal_error', message: 'Internal server error.' } };
}

export function sendError(res: http.ServerResponse, _requestId: string, err: unknown): void {
  const { status, body } = errorBody(err);
  const retry = err instanceof SlipwayError ? err.details.retryAfterSeconds : undefined;
  sendReply(res, { status, body, headers: retry !== undefined ? { 'Retry-After': String(retry) } : undefined });
}
