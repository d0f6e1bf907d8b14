/**
 * Metrics: response time p50/p95/p99/max, queue time, throughput by status class and router errors
 * by H-code over 1 h / 24 h / 7 d, with the app's events marked; refreshed live on each new interval
 * (the metrics API's SSE stream). Loaded on demand: uPlot is not part of the first page load.
 */
import type { App } from '@slipway/contract';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { appPath, sameOrigin } from '../api';
import { Chart, type ChartSeries } from '../components/chart';
import { ago, Empty, ErrorText, Loading, useLoad } from '../components/ui';
import { loadAppMetrics, RANGES, type AppMetrics, type Range } from '../metrics-api';

const secs = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);
const fmt = (v: number | null | undefined, unit = 'ms') => (v === null || v === undefined ? '–' : `${Math.round(v * 10) / 10} ${unit}`);
const lastKnown = <T,>(points: T[], pick: (p: T) => number | null): number | null => {
  for (let i = points.length - 1; i >= 0; i--) {
    const v = pick(points[i]);
    if (v !== null) return v;
  }
  return null;
};

function charts(m: AppMetrics) {
  const times = m.response.points.map((p) => secs(p.time));
  const r = m.response.points;
  const response: ChartSeries[] = [
    { label: 'p50', stroke: '#2f6fdf', values: r.map((p) => p.p50) },
    { label: 'p95', stroke: '#4b2fb8', values: r.map((p) => p.p95) },
    { label: 'p99', stroke: '#b3261e', values: r.map((p) => p.p99) },
    { label: 'max', stroke: '#8a5300', values: r.map((p) => p.max) },
  ];
  const queue: ChartSeries[] = [{ label: 'queue p95', stroke: '#4b2fb8', values: m.queue.points.map((p) => p.p95) }];
  const t = m.throughput.points;
  const throughput: ChartSeries[] = (['2xx', '3xx', '4xx', '5xx'] as const).map((c, i) => ({
    label: c, stroke: ['#1b6e3a', '#2f6fdf', '#8a5300', '#b3261e'][i], values: t.map((p) => p[c]),
  }));
  const codes = [...new Set(m.errors.points.flatMap((p) => Object.keys(p.codes ?? {})))].sort();
  const palette = ['#b3261e', '#8a5300', '#4b2fb8', '#2f6fdf', '#1b6e3a', '#545b6e'];
  const errors: ChartSeries[] = codes.map((code, i) => ({ label: code, stroke: palette[i % palette.length], values: m.errors.points.map((p) => p.codes?.[code] ?? 0) }));
  const requests = t.reduce((n, p) => n + p.requests, 0);
  const errorCount = m.errors.points.reduce((n, p) => n + p.errors, 0);
  return { times, response, queue, throughput, errors, codes, requests, errorCount };
}

export function MetricsTab({ app }: { app: App }) {
  const [range, setRange] = useState<Range>('1h');
  const metrics = useLoad(() => loadAppMetrics(app.name, range), [app.name, range]);
  useEffect(() => {
    // Live: each new interval stored for the app triggers a reload of the window.
    const source = new EventSource(sameOrigin(appPath(app.name, '/metrics/response-time/stream')));
    let timer: ReturnType<typeof setTimeout> | undefined;
    source.addEventListener('point', () => {
      clearTimeout(timer);
      timer = setTimeout(() => void metrics.reload(), 250);
    });
    source.onerror = () => { if (source.readyState === EventSource.CLOSED) source.close(); };
    return () => {
      clearTimeout(timer);
      source.close();
    };
  }, [app.name, range]);
  const m = metrics.data;
  const c = useMemo(() => (m ? charts(m) : undefined), [m]);
  const events = useMemo(() => (m ? m.events.map((e) => secs(e.time)) : []), [m]);
  return (
    <div class="tab">
      <div class="row-between">
        <h2>Metrics</h2>
        <div role="group" aria-label="Time range" class="ranges">
          {(Object.keys(RANGES) as Range[]).map((r) => (
            <button key={r} type="button" class={r === range ? '' : 'secondary'} aria-pressed={r === range} onClick={() => setRange(r)}>{r}</button>
          ))}
        </div>
      </div>
      {metrics.loading && !m && <Loading what="metrics" />}
      <ErrorText error={metrics.error} />
      {!metrics.loading && !metrics.error && m === undefined && <Empty>This platform has no metrics API.</Empty>}
      {m && c && (
        <>
          <p class="muted">{c.requests} requests and {c.errorCount} router errors in the last {RANGES[range].label}; dashed lines mark events (deploys, restarts, scaling, crashes).</p>
          <div class="charts">
            <Chart id="response-time" title="Response time (service time, ms)" unit="ms" times={c.times} series={c.response} events={events} dots
              summary={`Latest: p50 ${fmt(lastKnown(m.response.points, (p) => p.p50))}, p95 ${fmt(lastKnown(m.response.points, (p) => p.p95))}, p99 ${fmt(lastKnown(m.response.points, (p) => p.p99))}, max ${fmt(lastKnown(m.response.points, (p) => p.max))}.`} />
            <Chart id="queue-time" title="Router queue time p95 (ms)" unit="ms" times={c.times} series={c.queue} events={events} dots
              summary={`Latest queue p95: ${fmt(lastKnown(m.queue.points, (p) => p.p95))}.`} />
            <Chart id="throughput" title={`Throughput by status class (requests per ${m.throughput.step} s)`} unit="requests" times={c.times} series={c.throughput} events={events}
              summary={`${c.requests} requests: ${(['2xx', '3xx', '4xx', '5xx'] as const).map((k) => `${k} ${m.throughput.points.reduce((n, p) => n + p[k], 0)}`).join(', ')}.`} />
            <Chart id="errors" title="Router errors by code" unit="errors" times={c.times} series={c.errors} events={events}
              summary={c.codes.length === 0 ? 'No router errors.' : c.codes.map((code) => `${code}: ${m.errors.points.reduce((n, p) => n + (p.codes?.[code] ?? 0), 0)}`).join(', ')} />
          </div>
          <h3>Events</h3>
          {m.events.length === 0 && <Empty>No events in this window.</Empty>}
          <ul class="plain events">{m.events.slice(-30).reverse().map((e, i) => <li key={i}><span class="muted">{ago(e.time)}</span> {e.type}: {e.message}</li>)}</ul>
          <p class="muted small">Dyno memory and load per process type are not collected by the platform yet.</p>
        </>
      )}
    </div>
  );
}
