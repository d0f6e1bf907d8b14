/**
 * The metrics API (docs/metrics.md): series per metric name over a window (dyno memory and load
 * per process type), the app's events, and a live stream of new intervals. Absent on a platform without the metrics room (404 on
 * `/apps/:app/metrics`): callers then say so instead of charting nothing.
 */
import { ApiError, appPath, get } from './api';

export interface LatencyPoint { time: string; count: number; p50: number | null; p95: number | null; p99: number | null; max: number | null; mean: number | null }
export interface ThroughputPoint { time: string; requests: number; rpm: number; '1xx': number; '2xx': number; '3xx': number; '4xx': number; '5xx': number; bytes: number }
export interface ErrorsPoint { time: string; requests: number; errors: number; codes: Record<string, number> }
export interface MemoryPoint { time: string; samples: number; mean_mb: number | null; max_mb: number | null; rss_max_mb: number | null; swap_max_mb: number | null; cache_max_mb: number | null; quota_mb: number | null; quota_max_pct: number | null }
export interface LoadPoint { time: string; samples: number; mean: number | null; max: number | null }
export interface Series<P> { name: string; process_type: string; start: string; end: string; step: number; points: P[] }
export interface MetricEvent { time: string; type: string; message: string }

export type Range = '1h' | '24h' | '7d';
export const RANGES: Record<Range, { ms: number; step: string; label: string }> = {
  '1h': { ms: 3_600_000, step: '10s', label: '1 hour' },
  '24h': { ms: 86_400_000, step: '10m', label: '24 hours' },
  '7d': { ms: 7 * 86_400_000, step: '1h', label: '7 days' },
};

export interface AppMetrics {
  response: Series<LatencyPoint>;
  queue: Series<LatencyPoint>;
  throughput: Series<ThroughputPoint>;
  errors: Series<ErrorsPoint>;
  events: MetricEvent[];
  /** Dyno memory and load, one series per process type of the formation. */
  dynos: { type: string; memory: Series<MemoryPoint>; load: Series<LoadPoint> }[];
}

/** undefined when the platform has no metrics API. */
export async function loadAppMetrics(app: string, range: Range, types: string[], now = Date.now()): Promise<AppMetrics | undefined> {
  const { ms, step } = RANGES[range];
  const q = `?start=${now - ms}&end=${now}&step=${step}`;
  const dyno = async (type: string) => {
    const t = `${q}&process_type=${encodeURIComponent(type)}`;
    const [memory, load] = await Promise.all([
      get<Series<MemoryPoint>>(appPath(app, `/metrics/memory${t}`)),
      get<Series<LoadPoint>>(appPath(app, `/metrics/load${t}`)),
    ]);
    return { type, memory, load };
  };
  try {
    const [response, queue, throughput, errors, events, dynos] = await Promise.all([
      get<Series<LatencyPoint>>(appPath(app, `/metrics/response-time${q}`)),
      get<Series<LatencyPoint>>(appPath(app, `/metrics/queue-time${q}`)),
      get<Series<ThroughputPoint>>(appPath(app, `/metrics/throughput${q}`)),
      get<Series<ErrorsPoint>>(appPath(app, `/metrics/errors${q}`)),
      get<MetricEvent[]>(appPath(app, `/metrics/events?start=${now - ms}&end=${now}`)),
      Promise.all(types.map(dyno)),
    ]);
    return { response, queue, throughput, errors, events, dynos };
  } catch (err) {
    if (err instanceof ApiError && err.status === 404 && /endpoint was not found/.test(err.message)) return undefined;
    throw err;
  }
}

/** The p95 response time of the last hour in 1 min steps (apps list sparkline); undefined without metrics. */
export async function loadP95(app: string, now = Date.now()): Promise<(number | null)[] | undefined> {
  try {
    const s = await get<Series<LatencyPoint>>(appPath(app, `/metrics/response-time?start=${now - 3_600_000}&end=${now}&step=1m`));
    return s.points.map((p) => p.p95);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
}
