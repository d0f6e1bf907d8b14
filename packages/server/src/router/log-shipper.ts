/**
 * Ships the router's log lines and metrics to the API process (`POST /internal/router/logs`,
 * NDJSON batches). Never blocks routing: entries wait in a bounded buffer while the API is away;
 * past the bound the oldest are dropped and counted, and the count is reported once it is back.
 */
import http from 'node:http';
import type { Logger } from '../log/index.js';
import type { RouterLogEntry, RouterMetric } from './types.js';

export type ShippedEntry = ({ type: 'log' } & RouterLogEntry) | ({ type: 'metric' } & RouterMetric) | { type: 'dropped'; count: number };

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
  // Entries are encoded when pushed: a string per entry is all that lives until the next flush
  // (nested objects kept ~200 ms survive young-generation GCs and cost more to collect).
  // Entries are numbered as pushed; `buffer[i]` is entry `base + i`, and entries from `first` on
  // wait to be delivered (older ones were delivered or dropped).
  let buffer: string[] = [];
  let base = 0;
  let first = 0;
  let unreported = 0;
  let dropped = 0;
  let shipped = 0;
  let timer: NodeJS.Timeout | undefined;
  let delay = flushMs;
  let sending: Promise<void> | undefined;
  let stopped = true;
  const buffered = () => base + buffer.length - first;
  const compact = () => {
    buffer = buffer.slice(first - base);
    base = first;
  };

  function post(body: string): Promise<void> {
    const token = typeof deps.token === 'function' ? deps.token() : deps.token;
    return new Promise((resolve, reject) => {
      const req = http.request(new URL(LOGS_PATH, deps.apiUrl), {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/x-ndjson', 'Content-Length': Buffer.byteLength(body) },
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
    if (buffered() === 0 && unreported === 0) return;
    if (first > base) compact();
    const count = Math.min(batchMax, buffer.length);
    const end = base + count;
    const report = unreported;
    let body = count === buffer.length ? buffer.join('\n') : buffer.slice(0, count).join('\n');
    if (report > 0) body += `${count > 0 ? '\n' : ''}${JSON.stringify({ type: 'dropped', count: report })}`;
    try {
      await post(body + '\n');
      // Entries pushed meanwhile were appended; ones dropped meanwhile moved `first` on already.
      first = Math.max(first, end);
      unreported -= report;
      shipped += count;
      delay = buffered() > 0 ? 0 : flushMs;
    } catch (err) {
      delay = Math.min(maxBackoff, Math.max(flushMs, delay * 2));
      deps.logger.debug('router_logs.ship_failed', { error: String(err), buffered: buffered() });
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
      if (buffered() >= maxBuffer) {
        first += 1;
        dropped += 1;
        unreported += 1;
      }
      buffer.push(encodeEntry(entry));
      if (first - base > 4096 && (first - base) * 2 > buffer.length) compact();
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
    stats: () => ({ buffered: buffered(), dropped, shipped }),
  };
}
