/**
 * The routing mesh's HTTP front: host → app lookup, admission (maintenance, crashed, no dynos),
 * least-outstanding dispatch with a bounded per-app queue, proxying with retries on refused
 * connects, WebSocket upgrades, Heroku-like error pages and one `heroku[router]` line per request.
 */
import http from 'node:http';
import type net from 'node:net';
import type { Config } from '../config.js';
import type { Logger } from '../log/index.js';
import type { RouterMetricsRecorder } from '../metrics/index.js';
import { ROUTER_CODES, type RouterCode } from './codes.js';
import { createDeadlines, resolutionFor } from './deadlines.js';
import { Cancellation, createDispatcher, RoutingRejection, type Slot } from './dispatcher.js';
import { errorPage, noSuchAppPage, sendPage, writeRawPage } from './error-page.js';
import { DEFAULT_LIMITS, type RouterLimits } from './limits.js';
import { forwardedFor, normalizeHost, pickRequestId, requestHeadersToDyno } from './headers.js';
import { formatRouterLine, type RequestOutcome } from './log-line.js';
import { exchange, type ExchangeResult } from './proxy.js';
import type { RouterApp, RouterLogEntry, RouterMetric, RoutingTable } from './types.js';
import { rawResponseHead, upgradeExchange } from './websocket.js';

export { DEFAULT_LIMITS, type RouterLimits } from './limits.js';

export type RouterConfig = Pick<Config, 'routerTimeoutMs' | 'routerIdleTimeoutMs' | 'routerConnectTimeoutMs' | 'routerQueueMax' | 'routerBootTimeoutMs'>;

export interface RouterDeps {
  config: RouterConfig;
  logger: Logger;
  onLog?: (entry: RouterLogEntry) => void;
  onMetric?: (metric: RouterMetric) => void;
  /** An app scaled to zero got a request: ask the platform to start a web dyno. */
  onWake?: (appId: string) => void;
  /** Per-app interval aggregates (metrics/router-aggregator.ts): the router ships these, not per-request records. */
  metrics?: RouterMetricsRecorder;
  limits?: Partial<RouterLimits>;
  /** What clients speak to this listener (X-Forwarded-Proto). */
  protocol?: 'http' | 'https';
  random?: () => number;
}

export interface Router {
  setTable(table: RoutingTable): void;
  listen(port: number, host?: string): Promise<{ port: number }>;
  /** Stops accepting; in-flight requests get `graceMs` to finish, then every connection is closed. */
  close(graceMs?: number): Promise<void>;
  stats(appId: string): { queued: number; dynos: { name: string; outstanding: number; served: number }[] } | undefined;
}

interface Pending {
  app: RouterApp;
  outcome: RequestOutcome;
  receivedAt: number;
  /** performance.now() when the request was read: the metrics' total time runs from here to the log line. */
  startedAt: number;
}

let isoMs = -1;
let isoText = '';
/** `new Date().toISOString()`, formatted once per millisecond however many lines share it. */
function isoNow(): string {
  const ms = Date.now();
  if (ms !== isoMs) {
    isoMs = ms;
    isoText = new Date(ms).toISOString();
  }
  return isoText;
}

export function createRouter(deps: RouterDeps): Router {
  const { config, logger } = deps;
  const limits: RouterLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  const protocol = deps.protocol ?? 'http';
  const dispatcher = createDispatcher({ config, random: deps.random, onWake: deps.onWake });
  // One coarse clock for every exchange's connect/first-byte/idle window (see deadlines.ts).
  const deadlines = createDeadlines({ resolutionMs: resolutionFor([config.routerTimeoutMs, config.routerIdleTimeoutMs, config.routerConnectTimeoutMs]) });
  const tunnels = new Set<net.Socket>();
  const perClient = new Map<string, number>();
  let inFlight = 0;
  let idleWaiters: (() => void)[] = [];

  const server = http.createServer({
    maxHeaderSize: limits.maxHeaderSize,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: 0,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    insecureHTTPParser: false,
  });
  server.maxHeadersCount = limits.maxHeadersCount + 1;

  const untrack = () => {
    inFlight -= 1;
    if (inFlight === 0 && idleWaiters.length > 0) for (const w of idleWaiters.splice(0)) w();
  };
  const unhandled = (err: unknown) => {
    logger.error('router.unhandled', { error: (err as Error)?.stack ?? String(err) });
    untrack();
  };
  const track = (p: Promise<void>) => {
    inFlight += 1;
    p.then(untrack, unhandled);
  };
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => track(handle(req, res));
  server.on('request', onRequest);
  server.on('checkContinue', onRequest);
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => track(handleUpgrade(req, socket, head)));
  server.on('clientError', (err: NodeJS.ErrnoException, socket: net.Socket) => {
    if (!socket.writable || (socket as net.Socket & { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  server.on('connection', (socket: net.Socket) => {
    if (limits.maxConnectionsPerClient <= 0) return;
    const ip = socket.remoteAddress ?? '';
    const n = (perClient.get(ip) ?? 0) + 1;
    perClient.set(ip, n);
    socket.once('close', () => {
      const left = (perClient.get(ip) ?? 1) - 1;
      if (left <= 0) perClient.delete(ip);
      else perClient.set(ip, left);
    });
    if (n > limits.maxConnectionsPerClient) socket.destroy();
  });

  function begin(req: http.IncomingMessage): { requestId: string; path: string; host: string | undefined; outcome: RequestOutcome; receivedAt: number; startedAt: number } | { reject: number } {
    const startedAt = performance.now();
    const receivedAt = Date.now();
    const requestId = pickRequestId(req.headers['x-request-id']);
    const rawUrl = req.url ?? '/';
    if (rawUrl.length > limits.maxUrlLength) return { reject: 414 };
    if (req.rawHeaders.length / 2 > limits.maxHeadersCount) return { reject: 431 };
    let hostCount = 0;
    const raw = req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) if (raw[i].length === 4 && raw[i].toLowerCase() === 'host') hostCount += 1;
    if (hostCount > 1) return { reject: 400 };
    let path = rawUrl;
    let hostHeader = req.headers.host;
    if (!rawUrl.startsWith('/')) {
      try {
        const u = new URL(rawUrl);
        path = u.pathname + u.search;
        hostHeader = u.host;
      } catch {
        return { reject: 400 };
      }
    }
    const clientIp = req.socket.remoteAddress ?? '';
    const outcome: RequestOutcome = {
      method: req.method ?? 'GET', path, host: hostHeader ?? '', requestId,
      fwd: forwardedFor(req.headers['x-forwarded-for'], clientIp),
      dyno: null, connectMs: null, serviceMs: null, status: 0, bytes: null, protocol, queueMs: 0,
    };
    return { requestId, path, host: normalizeHost(hostHeader), outcome, receivedAt, startedAt };
  }

  function report(p: Pending): void {
    const message = formatRouterLine(p.outcome);
    deps.onLog?.({ appId: p.app.appId, line: { source: 'heroku', dyno: 'router', message, time: isoNow() } });
    deps.metrics?.record(p.app.appId, p.outcome, performance.now() - p.startedAt);
    deps.onMetric?.({
      appId: p.app.appId, at: p.receivedAt, dyno: p.outcome.dyno, status: p.outcome.status, code: p.outcome.code ?? null,
      queueMs: p.outcome.queueMs, connectMs: p.outcome.connectMs, serviceMs: p.outcome.serviceMs, bytes: p.outcome.bytes ?? 0,
    });
  }

  function headersFor(req: http.IncomingMessage, requestId: string, receivedAt: number, upgrade: boolean): string[] {
    return requestHeadersToDyno(req.rawHeaders, {
      requestId, receivedAt, proto: protocol,
      clientIp: req.socket.remoteAddress ?? '',
      port: req.socket.localPort ?? 0,
    }, upgrade);
  }

  /** Finds a dyno and runs `attempt` on it; retries on another dyno when the connect failed. */
  async function route(
    p: Pending,
    signal: Cancellation,
    attempt: (slot: Slot, release: () => void) => Promise<ExchangeResult>,
  ): Promise<{ code?: RouterCode; result?: ExchangeResult }> {
    let exclude: Set<string> | undefined;
    let lastFailure: RouterCode | undefined;
    let staleRetries = 0;
    const started = performance.now();
    for (;;) {
      let slot: Slot;
      try {
        const acquired = await dispatcher.acquire(p.app.appId, { exclude, signal });
        slot = acquired.slot;
        p.outcome.queueMs += acquired.queueMs;
      } catch (err) {
        if (!(err instanceof RoutingRejection)) throw err;
        const code = err.code === 'H21' && lastFailure ? lastFailure : err.code;
        if (code === 'H12') p.outcome.serviceMs = performance.now() - started;
        return { code };
      }
      if (signal.aborted) {
        dispatcher.release(slot);
        return { code: 'H27' };
      }
      p.outcome.dyno = slot.name;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        dispatcher.release(slot);
      };
      let result: ExchangeResult;
      try {
        result = await attempt(slot, release);
      } finally {
        release();
      }
      if (result.kind === 'done') return { result, code: result.code };
      if (result.kind === 'stale' && staleRetries++ < 2) continue;
      if (result.kind === 'stale') return { result, code: 'H13' };
      dispatcher.quarantine(slot, limits.quarantineMs);
      (exclude ??= new Set()).add(slot.key);
      lastFailure = result.kind === 'refused' ? 'H21' : 'H19';
      if (result.kind === 'connect-timeout') p.outcome.connectMs = (p.outcome.connectMs ?? 0) + config.routerConnectTimeoutMs;
      logger.debug('router.retry', { app: p.app.name, dyno: slot.name, cause: result.kind });
    }
  }

  function applyOutcome(p: Pending, code: RouterCode | undefined, result: ExchangeResult | undefined): void {
    if (result) {
      p.outcome.connectMs = result.connectMs ?? p.outcome.connectMs;
      p.outcome.serviceMs = result.serviceMs;
      p.outcome.bytes = result.bytes;
      p.outcome.status = result.status;
    }
    if (code) {
      p.outcome.code = code;
      if (!result || result.status === 0) p.outcome.status = ROUTER_CODES[code].status;
      if (code === 'H10' || code === 'H14' || code === 'H80' || code === 'H11' || code === 'H20') p.outcome.dyno = null;
      if (code === 'H15' || code === 'H18') p.outcome.status = 503;
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const b = begin(req);
    if ('reject' in b) {
      res.writeHead(b.reject, { 'Content-Length': 0, Connection: 'close' }).end();
      return;
    }
    const app = b.host === undefined ? undefined : dispatcher.lookup(b.host);
    if (!app) {
      sendPage(res, 404, noSuchAppPage(b.requestId), req.method);
      return;
    }
    const p: Pending = { app, outcome: b.outcome, receivedAt: b.receivedAt, startedAt: b.startedAt };
    deps.metrics?.enter(app.appId);
    const cancel = new Cancellation();
    const onClose = () => {
      if (!res.writableFinished) cancel.abort();
    };
    res.on('close', onClose);
    const headers = headersFor(req, b.requestId, b.receivedAt, false);
    const { code, result } = await route(p, cancel, (slot, release) => exchange(req, res, slot, b.path, headers, config, deadlines, release))
      .catch((err: unknown) => {
        logger.error('router.error', { request_id: b.requestId, error: (err as Error)?.stack ?? String(err) });
        return { code: 'H99' as const, result: undefined };
      });
    res.off('close', onClose);
    applyOutcome(p, code, result);
    if (code === 'H99' && res.headersSent) res.destroy();
    if (code && !res.headersSent && code !== 'H27' && code !== 'H28') {
      sendPage(res, ROUTER_CODES[code].status, errorPage(code, b.requestId), req.method);
      p.outcome.bytes = p.outcome.bytes ?? 0;
    }
    report(p);
  }

  async function handleUpgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const b = begin(req);
    if ('reject' in b) {
      socket.end(rawResponseHead(b.reject, http.STATUS_CODES[b.reject] ?? '', ['Connection', 'close', 'Content-Length', '0']));
      return;
    }
    const app = b.host === undefined ? undefined : dispatcher.lookup(b.host);
    if (!app) {
      writeRawPage(socket, 404, noSuchAppPage(b.requestId));
      return;
    }
    tunnels.add(socket);
    socket.once('close', () => tunnels.delete(socket));
    const p: Pending = { app, outcome: b.outcome, receivedAt: b.receivedAt, startedAt: b.startedAt };
    deps.metrics?.enter(app.appId);
    const cancel = new Cancellation();
    const onClose = () => cancel.abort();
    socket.once('close', onClose);
    const headers = headersFor(req, b.requestId, b.receivedAt, true);
    const { code, result } = await route(p, cancel, (slot) => upgradeExchange(req, socket, head, slot, b.path, headers, config))
      .catch((err: unknown) => {
        logger.error('router.error', { request_id: b.requestId, error: (err as Error)?.stack ?? String(err) });
        return { code: 'H99' as const, result: undefined };
      });
    socket.off('close', onClose);
    applyOutcome(p, code, result);
    if (code && code !== 'H27' && (!result || result.status === 0)) writeRawPage(socket, ROUTER_CODES[code].status, errorPage(code, b.requestId));
    report(p);
  }

  return {
    setTable(table) {
      dispatcher.setTable(table);
    },
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve({ port: (server.address() as net.AddressInfo).port });
        });
      });
    },
    async close(graceMs = 0) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (graceMs > 0 && inFlight > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => idleWaiters.push(resolve)),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
        ]);
        clearTimeout(timer);
      }
      idleWaiters = [];
      server.closeAllConnections();
      for (const s of tunnels) s.destroy();
      dispatcher.close();
      deadlines.close();
      await closed;
    },
    stats: (appId) => dispatcher.stats(appId),
  };
}
