/**
 * The API's HTTP server: request ids, auth, JSON bodies, routing and the one place where
 * SlipwayError codes become HTTP statuses and Heroku's `{"id","message"}` bodies.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { API_ERRORS, type ApiErrorBody } from '@slipway/contract';
import { InvalidParamsError, SlipwayError } from '../../errors.js';
import type { Logger } from '../../log/index.js';
import type { UserRecord } from '../../store/types.js';
import { isAmbiguousPath, parseRequestTarget } from './request-target.js';
import type { Ctx, Method, Reply, RouteTable } from './route-table.js';

export const MAX_JSON_BODY = 1024 * 1024;

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
  if (isAmbiguousPath(url.path)) {
    return sendError(res, requestId, new SlipwayError('not_found', 'Paths with "." or ".." segments (or backslashes) are not served.'));
  }
  if (deps.preRoute && (await deps.preRoute(req, res))) return;

  const method = (req.method ?? 'GET').toUpperCase() as Method;
  const found = deps.routes.match(method, url.path);
  if (!('route' in found)) {
    if (found.allowed.length > 0) {
      res.setHeader('Allow', [...new Set(found.allowed)].join(', '));
      return sendError(res, requestId, new SlipwayError('method_not_allowed', `${method} is not allowed on ${url.path}.`));
    }
    return sendError(res, requestId, new SlipwayError('not_found', 'The requested API endpoint was not found. Are you using the right HTTP verb (i.e. `GET` vs. `POST`), and did you specify your intended version with the `Accept` header?'));
  }
  const { route, params } = found;
  let user: UserRecord | undefined;
  if (route.auth !== false) {
    try {
      user = await deps.authenticate(req);
    } catch (err) {
      // e.g. rate_limit: a SlipwayError thrown while authenticating is answered like a route's.
      return sendError(res, requestId, err);
    }
    if (!user) return sendError(res, requestId, new SlipwayError('unauthorized', 'Invalid credentials provided.'));
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
    sendReply(res, reply ?? {}, method);
  } catch (err) {
    if (res.headersSent) {
      deps.logger.warn('api.error_after_headers', { path: url.path, error: String(err) });
      res.destroy();
      return;
    }
    if (!(err instanceof SlipwayError)) deps.logger.error('api.error', { path: url.path, request_id: requestId, error: (err as Error)?.stack ?? String(err) });
    sendError(res, requestId, err);
  }
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
  sendReply(res, { status, body });
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BODY) throw new SlipwayError('payload_too_large', `Request body is larger than ${MAX_JSON_BODY} bytes.`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  const type = String(req.headers['content-type'] ?? '');
  if (type !== '' && !/json/i.test(type)) throw new SlipwayError('unsupported_media_type', `Expected a JSON body, got Content-Type "${type}".`);
  let proto = false;
  let value: unknown;
  try {
    // A `__proto__` key is an own property after JSON.parse, but any object spread or zod record
    // built from it drops it silently (or swaps a prototype): refused, whatever the route.
    value = JSON.parse(text, (key, v: unknown) => {
      if (key === '__proto__') proto = true;
      return v;
    });
  } catch {
    throw new SlipwayError('bad_request', 'Request body is not valid JSON.');
  }
  if (proto) throw new InvalidParamsError('"__proto__" is not allowed as a key.', '__proto__');
  return value;
}
