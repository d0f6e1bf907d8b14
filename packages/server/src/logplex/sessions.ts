/**
 * Log sessions (heroku-contract.md A16): `POST /apps/{app}/log-sessions` creates one; its
 * `logplex_url` carries a capability token (the CLI's EventSource sends no Authorization) and
 * streams Server-Sent Events: `id: <seq>` + `data: <line>` per line, history first, then live lines
 * when tailing, `: heartbeat` comments, resume after `Last-Event-ID`, and the response ends when not
 * tailing. A session nobody streams expires after `sessionTtlMs`.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidParamsError, NotFoundError } from '../errors.js';
import type { Logger } from '../log/index.js';
import { filterFrom, rfc5424Micros, rfc5424Seconds } from './format.js';
import type { LogEntry, LogFilter, Logplex } from './types.js';

export interface SessionOptions {
  /** SSE comment sent this often on an open stream (the CLI's fetch aborts after 300 s of silence). */
  heartbeatMs: number;
  /** An unused session (no open stream) expires after this long. */
  sessionTtlMs: number;
  /** Bytes a slow tail may have unsent before lines are dropped (L11). */
  tailBufferBytes: number;
}

export interface SessionRequest {
  lines: number;
  tail: boolean;
  filter: LogFilter;
}

export interface LogSessionRecord {
  id: string;
  token: string;
  appId: string;
  request: SessionRequest;
  createdAt: Date;
  updatedAt: Date;
}

export interface LogSessions {
  create(appId: string, request: SessionRequest): LogSessionRecord;
  /** Streams the session to `res`; throws NotFoundError (404) for an unknown, expired or wrong-token session. */
  stream(id: string, token: string, req: IncomingMessage, res: ServerResponse): void;
  dropApp(appId: string): void;
  start(): void;
  stop(): void;
}

/** The body of `POST /apps/{app}/log-sessions` → a session request. Throws InvalidParamsError. */
export function parseSessionRequest(body: Record<string, unknown>, maxLines: number): SessionRequest {
  let lines = 100;
  if (body.lines !== undefined && body.lines !== null) {
    const n = typeof body.lines === 'string' ? Number(body.lines) : body.lines;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new InvalidParamsError('Lines must be a non-negative integer.', 'lines');
    lines = Math.min(n, maxLines);
  }
  if (body.source !== undefined && body.source !== null && body.source !== 'app' && body.source !== 'heroku') {
    throw new InvalidParamsError('Source must be "app" or "heroku".', 'source');
  }
  return { lines, tail: body.tail === true || body.tail === 'true', filter: filterFrom(body) };
}

interface Live {
  rec: LogSessionRecord;
  expiresAt: number;
  streams: Set<() => void>;
}

export function createLogSessions(deps: { logplex: Pick<Logplex, 'history' | 'subscribe'>; logger: Logger; options: SessionOptions; now?: () => number }): LogSessions {
  const { options, logger } = deps;
  const now = deps.now ?? Date.now;
  const sessions = new Map<string, Live>();
  let sweeper: NodeJS.Timeout | undefined;

  function sweep(): void {
    const t = now();
    for (const [id, s] of sessions) if (s.streams.size === 0 && s.expiresAt <= t) sessions.delete(id);
  }

  function find(id: string, token: string): Live {
    const s = sessions.get(id);
    const a = Buffer.from(token);
    const ok = s && a.length === Buffer.byteLength(s.rec.token) && timingSafeEqual(a, Buffer.from(s.rec.token));
    if (!s || !ok || (s.streams.size === 0 && s.expiresAt <= now())) throw new NotFoundError('log-session', 'Log session not found or expired.');
    return s;
  }

  return {
    create(appId, request) {
      const at = new Date(now());
      const rec: LogSessionRecord = { id: randomUUID(), token: randomBytes(24).toString('base64url'), appId, request, createdAt: at, updatedAt: at };
      sessions.set(rec.id, { rec, expiresAt: at.getTime() + options.sessionTtlMs, streams: new Set() });
      return rec;
    },
    stream(id, token, req, res) {
      const s = find(id, token);
      const { appId, request } = s.rec;
      const lastRaw = req.headers['last-event-id'];
      const lastId = typeof lastRaw === 'string' && /^\d+$/.test(lastRaw.trim()) ? Number(lastRaw) : undefined;
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
      // History and subscription are taken in the same synchronous step: no line is lost or doubled.
      const history = deps.logplex.history(appId, { ...request.filter, lines: lastId === undefined ? request.lines : Number.MAX_SAFE_INTEGER, afterSeq: lastId });
      res.write(`: welcome\nretry: 3000\n\n${history.map(event).join('')}`);
      if (!request.tail) {
        res.end();
        s.expiresAt = now() + options.sessionTtlMs;
        return;
      }
      let dropped = 0;
      let droppedSince = 0;
      const unsubscribe = deps.logplex.subscribe(appId, request.filter, (entry) => {
        if (res.writableLength > options.tailBufferBytes) {
          if (dropped === 0) droppedSince = now();
          dropped++;
          return;
        }
        res.write(event(entry));
      });
      const onDrain = () => {
        if (dropped === 0) return;
        res.write(`data: ${rfc5424Micros(Math.round(now() * 1000))} heroku[logplex]: Error L11 (Tail buffer overflow): ${dropped} messages dropped since ${rfc5424Seconds(new Date(droppedSince))}.\n\n`);
        dropped = 0;
      };
      res.on('drain', onDrain);
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), options.heartbeatMs);
      const close = () => {
        if (!s.streams.delete(close)) return;
        unsubscribe();
        clearInterval(heartbeat);
        res.off('drain', onDrain);
        s.expiresAt = now() + options.sessionTtlMs;
        if (!res.writableEnded) res.end();
      };
      s.streams.add(close);
      res.on('close', close);
      logger.debug('logplex.tail_opened', { app_id: appId, session: id, resume_after: lastId });
    },
    dropApp(appId) {
      for (const [id, s] of sessions) {
        if (s.rec.appId !== appId) continue;
        for (const close of [...s.streams]) close();
        sessions.delete(id);
      }
    },
    start() {
      sweeper ??= setInterval(sweep, Math.min(options.sessionTtlMs, 60_000));
      sweeper.unref();
    },
    stop() {
      if (sweeper) clearInterval(sweeper);
      sweeper = undefined;
      for (const s of sessions.values()) for (const close of [...s.streams]) close();
      sessions.clear();
    },
  };
}

function event(entry: LogEntry): string {
  return `id: ${entry.seq}\ndata: ${entry.text.replace(/\r/g, '')}\n\n`;
}
