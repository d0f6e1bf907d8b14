/**
 * Prometheus text exposition (`GET /metrics`, admin token) through `prom-client`: the platform
 * process's own metrics (prefix `slipway_process_`/`slipway_nodejs_`), counters of routed requests
 * since this API process started (a counter reset on restart is what Prometheus expects), and
 * per-app gauges of the latest minute: response-time and queue-time quantiles, requests per minute.
 * Series are labelled by `app` (name) and `process_type`.
 */
import client from 'prom-client';
import type { Store } from '../store/index.js';
import type { Metrics } from './metrics.js';
import { STATUS_CLASSES } from './router-summary.js';

export interface PrometheusExposition {
  contentType: string;
  render(): Promise<string>;
  close(): void;
}

const LATEST_WINDOW_MS = 60_000;

export function createPrometheusExposition(deps: { metrics: Metrics; store: Pick<Store, 'apps'> }): PrometheusExposition {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'slipway_' });
  // Totals since start, keyed by app id and rendered with the app's current name at each scrape.
  const totals = new Map<string, { labels: Record<string, string>; counter: client.Counter; value: number }>();
  const add = (counter: client.Counter, name: string, appId: string, l: Record<string, string>, n: number) => {
    const key = `${name}\0${appId}\0${Object.values(l).join('\0')}`;
    const t = totals.get(key) ?? { labels: { app_id: appId, ...l }, counter, value: 0 };
    t.value += n;
    totals.set(key, t);
  };
  const labels = ['app', 'process_type'] as const;

  const requests = new client.Counter({ name: 'slipway_router_requests_total', help: 'Requests routed, by status class of the response.', labelNames: [...labels, 'status_class'], registers: [registry] });
  const errors = new client.Counter({ name: 'slipway_router_errors_total', help: 'Requests that ended with a router error code (H10, H12…).', labelNames: [...labels, 'code'], registers: [registry] });
  const bytes = new client.Counter({ name: 'slipway_router_response_bytes_total', help: 'Response body bytes relayed.', labelNames: [...labels], registers: [registry] });
  const responseTime = new client.Gauge({ name: 'slipway_router_response_time_seconds', help: 'Service time over the last minute, by quantile (merged DDSketch, 1 % relative error).', labelNames: [...labels, 'quantile'], registers: [registry] });
  const queueTime = new client.Gauge({ name: 'slipway_router_queue_time_seconds', help: 'Time queued in the router over the last minute, by quantile.', labelNames: [...labels, 'quantile'], registers: [registry] });
  const rpm = new client.Gauge({ name: 'slipway_router_requests_per_minute', help: 'Requests over the last minute.', labelNames: [...labels], registers: [registry] });
  const apps = new client.Gauge({ name: 'slipway_apps', help: 'Apps on the platform.', registers: [registry] });

  const off = deps.metrics.subscribe('*', (u) => {
    if (!u.router) return;
    const pt = { process_type: u.processType };
    for (const c of STATUS_CLASSES) {
      const n = u.router.statuses[c] ?? 0;
      if (n > 0) add(requests, 'requests', u.appId, { ...pt, status_class: c }, n);
    }
    for (const [code, n] of Object.entries(u.router.codes)) add(errors, 'errors', u.appId, { ...pt, code }, n);
    add(bytes, 'bytes', u.appId, pt, u.router.bytes);
  });

  async function refresh(): Promise<void> {
    const all = await deps.store.apps.list();
    apps.set(all.length);
    const names = new Map(all.map((a) => [a.id, a.name]));
    for (const m of [requests, errors, bytes, responseTime, queueTime, rpm]) m.reset();
    for (const [key, t] of totals) {
      const { app_id: appId, ...rest } = t.labels;
      const name = names.get(appId);
      if (name === undefined) totals.delete(key); // the app is gone
      else t.counter.inc({ app: name, ...rest }, t.value);
    }
    for (const app of all) {
      const latest = await deps.metrics.latest(app.id, 'web', LATEST_WINDOW_MS);
      if (latest.requests === 0) continue;
      const base = { app: app.name, process_type: 'web' };
      rpm.set(base, latest.rpm);
      for (const [q, v] of [['0.5', latest.p50], ['0.95', latest.p95], ['0.99', latest.p99]] as const) if (v !== null) responseTime.set({ ...base, quantile: q }, v / 1000);
      if (latest.queueP95 !== null) queueTime.set({ ...base, quantile: '0.95' }, latest.queueP95 / 1000);
    }
  }

  return {
    contentType: registry.contentType,
    async render() {
      await refresh();
      return registry.metrics();
    },
    close: off,
  };
}
