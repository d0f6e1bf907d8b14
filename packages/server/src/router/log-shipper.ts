/**
 * Ships the router's log lines and metrics to the API process (`POST /internal/router/logs`,
 * NDJSON batches). Never blocks routing: entries wait in a bounded buffer while the API is away;
 * past the bound the oldest are dropped and counted, and the count is reported once it is back.
 */
import http from 'node:http';
import type { Logger } from '../log/index.js';
import type { RouterSummary } from '../metrics/index.js';
import { LineQueue } from './line-queue.js';
import type { RouterLogEntry, RouterMetric } from './types.js';

export type ShippedEntry = ({ type: 'log' } & RouterLogEntry) | ({ type: 'metric' } & RouterMetric)
  | ({ type: 'router-summary' } & RouterSummary) | { type: 'dropped'; count: number };

export interface LogShipperDeps {
  apiUrl: string;
  /** The internal token, or a getter read on every post (an adopted router learns a new one). */
  token: string | (() => string);
  logger: Logger;
  maxBuffer?: number;
  batchMax?: number;
  flushMs?: number;
  maxBackoffMs?: number;
}

export interface LogShipper {
  push(entry: ShippedEntry): void;
  start(): void;
  /** Stops the timer after one last attempt to deliver what is buffered. */
  stop(): Promise<void>;
  stats(): { buffered: number; dropped: number; shipped: number };
}

export const LOGS_PATH = '/internal/router/logs';

/**
 * One NDJSON line for `entry`. Lines and metrics (two per routed request) are spelled out by hand:
 * the same JSON as `JSON.stringify`, in the same key order, without building the spread objects.
 */
export function encodeEntry(entry: ShippedEntry): string {
  if (entry.type === 'log') {
    const l = entry.line;
    if (l.source === 'heroku' && l.dyno === 'router') {
      return `{"type":"log","appId":${JSON.stringify(entry.appId)},"line":{"source":"heroku","dyno":"router","message":${JSON.stringify(l.message)}${l.time === undefined ? '' : `,"time":${JSON.stringify(l.time)}`}}}`;
    }
  } else if (entry.type === 'metric') {
    const m = entry;
    return `{"type":"metric","appId":${JSON.stringify(m.appId)},"at":${num(m.at)},"dyno":${m.dyno === null ? 'null' : JSON.stringify(m.dyno)},"status":${num(m.status)},"code":${m.code === null ? 'null' : JSON.stringify(m.code)},"queueMs":${num(m.queueMs)},"connectMs":${m.connectMs === null ? 'null' : num(m.connectMs)},"serviceMs":${m.serviceMs === null ? 'null' : num(m.serviceMs)},"bytes":${num(m.bytes)}}`;
  }
  return JSON.stringify(entry);
}

/** A number as JSON.stringify writes it (NaN and ±Infinity become null). */
const num = (n: number) => (Number.isFinite(n) ? String(n) : 'null');

export function createLogShipper(deps: LogShipperDeps): LogShipper {
  const maxBuffer = deps.maxBuffer ?? 10_000;
  const batchMax = deps.batchMax ?? 1_000;
  const flushMs = deps.flushMs ?? 200;
  const maxBackoff = deps.maxBackoffMs ?? 5_000;
  // Entries are encoded when pushed and wait as bytes (line-queue.ts): nothing per entry lives
  // on the heap until the next flush.
  const queue = new LineQueue(maxBuffer);
  let unreported = 0;
  let dropped = 0;
  let shipped = 0;
  let timer: NodeJS.Timeout | undefined;
  let delay = flushMs;
  let sending: Promise<void> | undefined;
  let stopped = true;

  function post(body: Buffer): Promise<void> {
    const token = typeof deps.token === 'function' ? deps.token() : deps.token;
    return new Promise((resolve, reject) => {
      const req = http.request(new URL(LOGS_PATH, deps.apiUrl), {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/x-ndjson', 'Content-Length': body.length },
        timeout: 10_000,
      }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode && res.statusCode < 300 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(body);
    });
  }

  async function flush(): Promise<void> {
    if (queue.length === 0 && unreported === 0) return;
    const batch = queue.peek(batchMax);
    const report = unreported;
    const body = report > 0 ? Buffer.concat([batch.body, Buffer.from(`${JSON.stringify({ type: 'dropped', count: report })}\n`)]) : batch.body;
    try {
      await post(body);
      // Entries pushed meanwhile were appended; ones dropped meanwhile are gone already.
      queue.release(batch.upTo);
      unreported -= report;
      shipped += batch.lines;
      delay = queue.length > 0 ? 0 : flushMs;
    } catch (err) {
      delay = Math.min(maxBackoff, Math.max(flushMs, delay * 2));
      deps.logger.debug('router_logs.ship_failed', { error: String(err), buffered: queue.length });
    }
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      sending = flush().finally(() => {
        sending = undefined;
        schedule();
      });
    }, delay);
  };

  return {
    push(entry) {
      if (queue.push(encodeEntry(entry))) {
        dropped += 1;
        unreported += 1;
      }
    },
    start() {
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await sending;
      await flush();
    },
    stats: () => ({ buffered: queue.length, dropped, shipped }),
  };
}
