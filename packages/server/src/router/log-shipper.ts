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

export function createLogShipper(deps: LogShipperDeps): LogShipper {
  const maxBuffer = deps.maxBuffer ?? 10_000;
  const batchMax = deps.batchMax ?? 500;
  const flushMs = deps.flushMs ?? 200;
  const maxBackoff = deps.maxBackoffMs ?? 5_000;
  let buffer: ShippedEntry[] = [];
  let unreported = 0;
  let dropped = 0;
  let shipped = 0;
  let timer: NodeJS.Timeout | undefined;
  let delay = flushMs;
  let sending: Promise<void> | undefined;
  let stopped = true;

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
    if (buffer.length === 0 && unreported === 0) return;
    const batch = buffer.slice(0, batchMax);
    const report = unreported;
    const lines = batch.map((e) => JSON.stringify(e));
    if (report > 0) lines.push(JSON.stringify({ type: 'dropped', count: report }));
    try {
      await post(lines.join('\n') + '\n');
      buffer = buffer.slice(batch.length);
      unreported -= report;
      shipped += batch.length;
      delay = buffer.length > 0 ? 0 : flushMs;
    } catch (err) {
      delay = Math.min(maxBackoff, Math.max(flushMs, delay * 2));
      deps.logger.debug('router_logs.ship_failed', { error: String(err), buffered: buffer.length });
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
      if (buffer.length >= maxBuffer) {
        buffer.shift();
        dropped += 1;
        unreported += 1;
      }
      buffer.push(entry);
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
    stats: () => ({ buffered: buffer.length, dropped, shipped }),
  };
}
