/**
 * One HTTP exchange with one dyno: connect (pooled, keep-alive), stream the request body only once
 * connected (so a refused connect can be retried elsewhere), relay `100 Continue`, stream the
 * response back, and enforce Heroku's windows: connect timeout (H19), first byte after the request
 * was sent (H12, the dyno's connection is closed), rolling idle window after that (H15/H28).
 *
 * The dyno side speaks HTTP/1.1 through dyno-pool.ts (one parser and one set of listeners per
 * pooled connection); the windows are one `Deadline` per exchange on the router's coarse clock.
 */
import http from 'node:http';
import type { RouterCode } from './codes.js';
import type { Deadline, Deadlines } from './deadlines.js';
import type { Slot } from './dispatcher.js';
import type { ConnectionUser, DynoConnection } from './dyno-pool.js';
import { responseHeadersToClient } from './headers.js';
import type { ResponseHead } from './response-parser.js';

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

/** Methods node:http's client sends `Content-Length: 0` for when they carry no body (some servers insist). */
const LENGTH_WHEN_EMPTY = new Set(['POST', 'PUT', 'PATCH']);

type Failure = RouterCode | 'refused' | 'connect-timeout' | 'stale';
const retryable = (f: Failure): f is 'refused' | 'connect-timeout' | 'stale' => f === 'refused' || f === 'connect-timeout' || f === 'stale';

const enum Phase { Connect, Idle, FirstByte }

/** The request head sent to the dyno (latin1: header bytes go out exactly as they came in). */
export function requestHead(method: string, path: string, headers: readonly string[], framing: 'chunked' | 'empty' | 'as-is'): string {
  let head = `${method} ${path} HTTP/1.1\r\n`;
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
  if (framing === 'chunked') head += 'Transfer-Encoding: chunked\r\n';
  else if (framing === 'empty') head += 'Content-Length: 0\r\n';
  return head + 'Connection: keep-alive\r\n\r\n';
}

class Exchange implements ConnectionUser, Deadline {
  at = Infinity;
  private phase = Phase.Connect;
  private readonly started = performance.now();
  private connectedAt: number | null = null;
  private connectMs: number | null = null;
  private bytes = 0;
  private status = 0;
  private responded = false;
  private requestSent = false;
  private settled = false;
  private failure: Failure | undefined;
  private conn: DynoConnection | undefined;
  private readonly reused: boolean;
  private readonly withBody: boolean;
  private chunked = false;
  private waitingForClient = false;
  private resolve!: (r: ExchangeResult) => void;
  readonly done: Promise<ExchangeResult>;

  constructor(
    private readonly req: http.IncomingMessage,
    private readonly res: http.ServerResponse,
    slot: Slot,
    private readonly path: string,
    private readonly headers: string[],
    private readonly config: ExchangeConfig,
    private readonly deadlines: Deadlines,
    private readonly onDynoDone: () => void,
  ) {
    this.done = new Promise((resolve) => (this.resolve = resolve));
    this.withBody = hasBody(req);
    res.on('close', this.onClientClose);
    const conn = slot.pool.take(this, req.method === 'HEAD');
    this.conn = conn;
    this.reused = conn.uses > 1;
    deadlines.add(this);
    if (conn.connected) this.onConnect();
    else this.at = this.started + config.routerConnectTimeoutMs;
  }

  fire(): void {
    if (this.phase === Phase.Connect) this.abort('connect-timeout');
    else if (this.phase === Phase.FirstByte) this.abort('H12');
    else this.abort(this.responded ? 'H15' : 'H28');
  }

  /** Any byte either way restarts the idle window. */
  private touch(): void {
    if (this.phase === Phase.Idle) this.at = performance.now() + this.config.routerIdleTimeoutMs;
  }

  private readonly onClientClose = (): void => {
    if (!this.res.writableFinished) this.abort('H27');
  };

  onConnect(): void {
    if (this.settled || this.connectedAt !== null) return;
    const conn = this.conn as DynoConnection;
    this.connectedAt = performance.now();
    this.connectMs = this.connectedAt - this.started;
    this.phase = Phase.Idle;
    this.touch();
    const req = this.req;
    const method = req.method ?? 'GET';
    if (this.withBody) {
      this.chunked = req.headers['transfer-encoding'] !== undefined;
      conn.write(requestHead(method, this.path, this.headers, this.chunked ? 'chunked' : 'as-is'), 'latin1');
      req.on('data', this.onRequestData);
      req.on('end', this.onRequestEnd);
    } else {
      const empty = LENGTH_WHEN_EMPTY.has(method) && req.headers['content-length'] === undefined;
      conn.write(requestHead(method, this.path, this.headers, empty ? 'empty' : 'as-is'), 'latin1');
      this.requestWasSent();
    }
  }

  private readonly onRequestData = (chunk: Buffer): void => {
    const conn = this.conn;
    if (this.settled || !conn) return;
    this.touch();
    let ok: boolean;
    if (this.chunked) {
      conn.socket.cork();
      conn.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
      conn.write(chunk);
      ok = conn.write('\r\n', 'latin1');
      conn.socket.uncork();
    } else ok = conn.write(chunk);
    if (!ok) this.req.pause();
  };

  private readonly onRequestEnd = (): void => {
    if (this.settled || !this.conn) return;
    if (this.chunked) this.conn.write('0\r\n\r\n', 'latin1');
    this.requestWasSent();
  };

  private requestWasSent(): void {
    this.requestSent = true;
    if (this.responded) return;
    this.phase = Phase.FirstByte;
    this.at = performance.now() + this.config.routerTimeoutMs;
  }

  onDrain(): void {
    this.touch();
    if (this.withBody && !this.settled) this.req.resume();
  }

  onContinue(): void {
    if (!this.res.headersSent) this.res.writeContinue();
  }

  onHead(head: ResponseHead): void {
    this.responded = true;
    this.status = head.status;
    this.phase = Phase.Idle;
    this.touch();
    try {
      this.res.writeHead(head.status, head.reason || http.STATUS_CODES[head.status] || 'Unknown', responseHeadersToClient(head.rawHeaders));
    } catch {
      this.abort('H13');
      return;
    }
    this.res.on('drain', this.onClientDrain);
  }

  onBody(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.touch();
    if (!this.res.write(chunk) && !this.waitingForClient) {
      this.waitingForClient = true;
      this.conn?.pause();
    }
  }

  private readonly onClientDrain = (): void => {
    this.touch();
    if (!this.waitingForClient) return;
    this.waitingForClient = false;
    this.conn?.resume();
  };

  onComplete(): void {
    const conn = this.conn as DynoConnection;
    this.conn = undefined;
    // Only a connection whose request went out whole can carry another one.
    if (this.requestSent) conn.pool.release(conn);
    else conn.destroy();
    this.onDynoDone();
    this.res.end();
    if (this.res.writableFinished) this.settle('done');
    else this.res.once('finish', () => this.settle('done'));
  }

  onFailure(f: { connected: boolean; gotBytes: boolean; err?: NodeJS.ErrnoException; malformed?: string }): void {
    this.conn = undefined;
    if (this.settled) return;
    if (!f.connected) {
      const code = f.err?.code;
      return this.abort(code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' ? 'refused' : 'H13');
    }
    if (this.responded) return this.abort('H18');
    if (f.malformed === undefined && this.reused && !this.withBody && !f.gotBytes) return this.abort('stale');
    this.abort('H13');
  }

  private abort(why: Failure): void {
    if (this.settled) return;
    this.failure ??= why;
    const conn = this.conn;
    if (conn) {
      this.conn = undefined;
      conn.destroy();
    }
    if (this.responded) this.res.destroy();
    const f = this.failure;
    this.settle(retryable(f) ? f : 'done', retryable(f) ? undefined : f);
  }

  private settle(kind: ExchangeResult['kind'], code?: RouterCode): void {
    if (this.settled) return;
    this.settled = true;
    this.deadlines.remove(this);
    this.res.off('close', this.onClientClose);
    if (this.withBody) {
      this.req.off('data', this.onRequestData);
      this.req.off('end', this.onRequestEnd);
    }
    this.onDynoDone();
    const serviceMs = this.connectedAt === null ? null : performance.now() - this.connectedAt;
    this.resolve({ kind, code, status: code && !this.responded ? 0 : this.status, connectMs: this.connectMs, serviceMs, bytes: this.bytes });
  }
}

export function exchange(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  slot: Slot,
  path: string,
  headers: string[],
  config: ExchangeConfig,
  deadlines: Deadlines,
  /** Called once when the dyno is done with the request (before a slow client finished reading). */
  onDynoDone: () => void = () => {},
): Promise<ExchangeResult> {
  return new Exchange(req, res, slot, path, headers, config, deadlines, onDynoDone).done;
}

export type { Slot };
