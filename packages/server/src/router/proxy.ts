/**
 * One HTTP exchange with one dyno: connect (pooled, keep-alive), stream the request body only once
 * connected (so a refused connect can be retried elsewhere), relay `100 Continue`, stream the
 * response back, and enforce Heroku's windows: connect timeout (H19), first byte after the request
 * was sent (H12, the dyno's connection is closed), rolling idle window after that (H15/H28).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { RouterCode } from './codes.js';
import type { Slot } from './dispatcher.js';
import { responseHeadersToClient } from './headers.js';

export interface ExchangeConfig {
  routerTimeoutMs: number;
  routerIdleTimeoutMs: number;
  routerConnectTimeoutMs: number;
}

export interface ExchangeResult {
  /**
   * `refused`/`connect-timeout`: nothing was sent either way; the request may go to another dyno.
   * `stale`: a pooled keep-alive connection turned out closed before a bodiless request got an
   * answer; the request may be sent again (the race Node's docs describe for `reusedSocket`).
   */
  kind: 'done' | 'refused' | 'connect-timeout' | 'stale';
  /** Set when the exchange failed; the caller answers with the page if no header was sent yet. */
  code?: RouterCode;
  status: number;
  connectMs: number | null;
  serviceMs: number | null;
  bytes: number;
}

export function hasBody(req: http.IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? '0') > 0;
}

export function exchange(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  slot: Slot,
  path: string,
  headers: string[],
  config: ExchangeConfig,
  /** Called once when the dyno is done with the request (before a slow client finished reading). */
  onDynoDone: () => void = () => {},
): Promise<ExchangeResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    let connectedAt: number | null = null;
    let connectMs: number | null = null;
    let bytes = 0;
    let status = 0;
    let responded = false;
    let failure: RouterCode | 'refused' | 'connect-timeout' | 'stale' | undefined;
    let settled = false;
    let idle: NodeJS.Timeout | undefined;
    let firstByte: NodeJS.Timeout | undefined;

    const upReq = http.request({ host: slot.host, port: slot.port, method: req.method, path, headers, setHost: false, agent: slot.agent });
    const connectTimer = setTimeout(() => abort('connect-timeout'), config.routerConnectTimeoutMs);

    const settle = (kind: ExchangeResult['kind'], code?: RouterCode) => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(idle);
      clearTimeout(firstByte);
      res.off('close', onClientClose);
      req.unpipe(upReq);
      onDynoDone();
      const serviceMs = connectedAt === null ? null : performance.now() - connectedAt;
      resolve({ kind, code, status: code && !responded ? 0 : status, connectMs, serviceMs, bytes });
    };

    function abort(why: NonNullable<typeof failure>) {
      failure ??= why;
      upReq.destroy();
      if (responded) res.destroy();
      settle(kindOf(failure), codeOf(failure));
    }

    const retryable = (f: NonNullable<typeof failure>): f is 'refused' | 'connect-timeout' | 'stale' => f === 'refused' || f === 'connect-timeout' || f === 'stale';
    const kindOf = (f: NonNullable<typeof failure>): ExchangeResult['kind'] => (retryable(f) ? f : 'done');
    const codeOf = (f: NonNullable<typeof failure>): RouterCode | undefined => (retryable(f) ? undefined : f);

    const armIdle = () => {
      clearTimeout(idle);
      if (settled) return;
      idle = setTimeout(() => abort(responded ? 'H15' : 'H28'), config.routerIdleTimeoutMs);
    };

    function onClientClose() {
      if (!res.writableFinished) abort('H27');
    }
    res.on('close', onClientClose);

    upReq.on('socket', (socket) => {
      if (socket.connecting) socket.once('connect', onConnect);
      else onConnect();
    });

    function onConnect() {
      if (settled || connectedAt !== null) return;
      clearTimeout(connectTimer);
      connectedAt = performance.now();
      connectMs = connectedAt - started;
      armIdle();
      if (hasBody(req)) {
        req.on('data', armIdle);
        req.pipe(upReq);
      } else {
        req.resume();
        upReq.end();
      }
    }

    upReq.on('finish', () => {
      if (settled || responded) return;
      clearTimeout(idle);
      firstByte = setTimeout(() => abort('H12'), config.routerTimeoutMs);
    });
    upReq.on('drain', armIdle);
    upReq.on('continue', () => {
      if (!res.headersSent) res.writeContinue();
    });

    upReq.on('response', (upRes) => {
      if (settled) {
        upRes.destroy();
        return;
      }
      clearTimeout(firstByte);
      responded = true;
      status = upRes.statusCode ?? 502;
      armIdle();
      try {
        res.writeHead(status, upRes.statusMessage || http.STATUS_CODES[status] || 'Unknown', responseHeadersToClient(upRes.rawHeaders));
      } catch {
        abort('H13');
        return;
      }
      upRes.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        armIdle();
      });
      res.on('drain', armIdle);
      upRes.pipe(res);
      upRes.on('end', onDynoDone);
      upRes.on('close', () => {
        if (!upRes.complete) abort('H18');
      });
      res.on('finish', () => settle('done'));
    });

    upReq.on('error', (err: NodeJS.ErrnoException) => {
      if (settled) return;
      if (failure) return settle(kindOf(failure), codeOf(failure));
      if (connectedAt === null && (err.code === 'ECONNREFUSED' || err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH')) return abort('refused');
      if (upReq.reusedSocket && !responded && !hasBody(req) && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) return abort('stale');
      abort(responded ? 'H18' : 'H13');
    });
    upReq.on('close', () => {
      if (settled || responded) return;
      abort(connectedAt === null ? 'refused' : 'H13');
    });
  });
}

export type { Slot };
