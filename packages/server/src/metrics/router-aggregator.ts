/**
 * The router's side of metrics: per app, the current 10 s interval's counts and DDSketches, filled
 * on the hot path (a few additions and three sketch inserts per request, no allocation per
 * request) and handed to `onSummary` once per app when the interval ends. A request counts in the
 * interval in which it completed. The router only routes to `web` dynos, so the process type is
 * `web`.
 */
import type { DDSketch } from '@datadog/sketches-js';
import { addValue, encodeSketch, newSketch } from './sketch.js';
import type { RouterSummary, StatusClass } from './router-summary.js';

export const ROUTER_INTERVAL_MS = 10_000;
/**
 * A request that waited this long in the router's queue for a dyno ships its app's numbers so far
 * at once (at most every URGENT_GAP_MS per app) instead of at the interval's end: the app is short
 * of capacity, and the autoscaler should know in seconds. The store merges the parts of an
 * interval, so nothing is counted twice; a healthy app still ships once per interval.
 */
export const URGENT_QUEUE_MS = 100;
export const URGENT_GAP_MS = 2_000;
const ROUTED_PROCESS_TYPE = 'web';

export interface RequestSample {
  status: number;
  code?: string | null;
  queueMs: number;
  connectMs: number | null;
  serviceMs: number | null;
  bytes: number | null;
}

export interface RouterMetricsRecorder {
  /** A request for `appId` entered the router (for the concurrency peak). */
  enter(appId: string): void;
  /**
   * The request finished (after `enter`): counts it in the current interval. `totalMs` is the time
   * from reading the request to relaying the response (default: queue + connect + service).
   */
  record(appId: string, sample: RequestSample, totalMs?: number): void;
}

export interface RouterAggregator extends RouterMetricsRecorder {
  start(): void;
  /** Hands out what the current interval holds so far, and stops the timer. */
  stop(): void;
  /** Ends the current interval now if the clock has passed it (the timer does this on its own). */
  rotate(): void;
}

interface AppInterval {
  /** When this app's numbers last left (or its interval began). */
  shippedAt: number;
  requests: number;
  statuses: Partial<Record<StatusClass, number>>;
  codes: Record<string, number>;
  bytes: number;
  inFlight: number;
  maxConcurrency: number;
  service: DDSketch;
  queue: DDSketch;
  total: DDSketch;
}

export interface RouterAggregatorDeps {
  onSummary: (summary: RouterSummary) => void;
  intervalMs?: number;
  now?: () => number;
}

const CLASSES: StatusClass[] = ['1xx', '1xx', '2xx', '3xx', '4xx', '5xx'];

export function createRouterAggregator(deps: RouterAggregatorDeps): RouterAggregator {
  const step = deps.intervalMs ?? ROUTER_INTERVAL_MS;
  const now = deps.now ?? Date.now;
  const apps = new Map<string, AppInterval>();
  let current = Math.floor(now() / step) * step;
  let timer: NodeJS.Timeout | undefined;
  let running = false;

  const fresh = (inFlight: number, shippedAt = current): AppInterval => ({
    shippedAt, requests: 0, statuses: {}, codes: {}, bytes: 0, inFlight, maxConcurrency: inFlight,
    service: newSketch(), queue: newSketch(), total: newSketch(),
  });

  /** Hands out one app's numbers of the interval starting at `start` (all of them, or what is left after an urgent part). */
  function ship(appId: string, a: AppInterval, start: number): void {
    deps.onSummary({
      appId, processType: ROUTED_PROCESS_TYPE, start, stepMs: step,
      requests: a.requests, statuses: a.statuses, codes: a.codes, bytes: a.bytes, maxConcurrency: a.maxConcurrency,
      service: encodeSketch(a.service), queue: encodeSketch(a.queue), total: encodeSketch(a.total),
    });
  }

  function flush(start: number): void {
    for (const [appId, a] of apps) {
      if (a.requests === 0) {
        if (a.inFlight === 0) apps.delete(appId);
        else a.maxConcurrency = a.inFlight;
        continue;
      }
      ship(appId, a, start);
      if (a.inFlight === 0) apps.delete(appId);
      else apps.set(appId, fresh(a.inFlight));
    }
  }

  function rotate(): void {
    const interval = Math.floor(now() / step) * step;
    if (interval === current) return;
    flush(current);
    current = interval;
  }

  function schedule(): void {
    if (!running) return;
    const wait = current + step - now();
    timer = setTimeout(() => {
      rotate();
      schedule();
    }, Math.max(1, wait));
    timer.unref?.();
  }

  return {
    enter(appId) {
      let a = apps.get(appId);
      if (!a) apps.set(appId, (a = fresh(0)));
      a.inFlight += 1;
      if (a.inFlight > a.maxConcurrency) a.maxConcurrency = a.inFlight;
    },
    record(appId, s, totalMs) {
      if (now() >= current + step) rotate();
      let a = apps.get(appId);
      if (!a) apps.set(appId, (a = fresh(1)));
      if (a.inFlight > 0) a.inFlight -= 1;
      a.requests += 1;
      const cls = CLASSES[Math.min(5, Math.max(0, Math.floor(s.status / 100)))];
      a.statuses[cls] = (a.statuses[cls] ?? 0) + 1;
      if (s.code) a.codes[s.code] = (a.codes[s.code] ?? 0) + 1;
      a.bytes += s.bytes ?? 0;
      const service = s.serviceMs ?? 0;
      addValue(a.service, service);
      addValue(a.queue, s.queueMs);
      addValue(a.total, totalMs ?? s.queueMs + (s.connectMs ?? 0) + service);
      if (s.queueMs >= URGENT_QUEUE_MS) {
        const t = now();
        if (t - a.shippedAt >= URGENT_GAP_MS) {
          ship(appId, a, current);
          apps.set(appId, fresh(a.inFlight, t));
        }
      }
    },
    start() {
      running = true;
      rotate();
      schedule();
    },
    stop() {
      running = false;
      clearTimeout(timer);
      flush(current);
      current = Math.floor(now() / step) * step;
    },
    rotate,
  };
}
