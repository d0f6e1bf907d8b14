/**
 * Router metrics as series: what `GET /apps/{app}/metrics/{name}` answers for the router's names,
 * computed from merged interval summaries (percentiles come from merged sketches).
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { mergeRouterSummaries, STATUS_CLASSES, type RouterSummary } from './router-summary.js';
import { quantile, type SketchData } from './sketch.js';
import type { PointCodec } from './point-writer.js';

/** What is stored for a router interval: the summary without its key. */
export type RouterPointData = Omit<RouterSummary, 'appId' | 'processType' | 'start' | 'stepMs'>;

export const routerCodec: PointCodec<RouterPointData> = {
  kind: 'router',
  merge: (parts) => stripKey(mergeRouterSummaries(parts.map((p) => ({ ...p, appId: '', processType: '', start: 0, stepMs: 0 })), 0, 0)),
  encode: (d) => deflateRawSync(JSON.stringify(d)),
  decode: (b) => JSON.parse(inflateRawSync(b).toString('utf8')) as RouterPointData,
};

export function stripKey(s: RouterSummary): RouterPointData {
  return { requests: s.requests, statuses: s.statuses, codes: s.codes, bytes: s.bytes, maxConcurrency: s.maxConcurrency, service: s.service, queue: s.queue, total: s.total };
}

export const ROUTER_METRICS = ['response-time', 'queue-time', 'total-time', 'throughput', 'errors', 'concurrency'] as const;
export type RouterMetricName = (typeof ROUTER_METRICS)[number];

const round = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);

function latency(s: SketchData) {
  return {
    count: s.n,
    p50: round(quantile(s, 0.5)), p95: round(quantile(s, 0.95)), p99: round(quantile(s, 0.99)),
    max: s.n ? round(s.max) : null, mean: s.n ? round(s.sum / s.n) : null,
  };
}

/** The value of one bucket (`data` merged over it) for `name`; `stepS` turns counts into rates. */
export function routerValue(name: RouterMetricName, data: RouterPointData, stepS: number): Record<string, unknown> {
  switch (name) {
    case 'response-time':
      return latency(data.service);
    case 'queue-time':
      return latency(data.queue);
    case 'total-time':
      return latency(data.total);
    case 'throughput': {
      const byClass = Object.fromEntries(STATUS_CLASSES.map((c) => [c, data.statuses[c] ?? 0]));
      return { requests: data.requests, rpm: Math.round((data.requests * 60 * 100) / stepS) / 100, ...byClass, bytes: data.bytes };
    }
    case 'errors':
      return { requests: data.requests, errors: Object.values(data.codes).reduce((a, b) => a + b, 0), codes: { ...data.codes } };
    case 'concurrency':
      return { max: data.maxConcurrency };
  }
}
