/**
 * Metrics: response time p50/p95/p99/max, queue time, throughput by status class, router errors
 * by H-code, and dyno memory and load per process type over 1 h / 24 h / 7 d, with the app's events
 * marked; refreshed live on each new interval (the metrics API's SSE streams: router intervals and
 * dyno samples). Loaded on demand: uPlot is not part of the first page load.
 */
import type { App, Formation } from '@slipway/contract';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { appPath, get, sameOrigin } from '../api';
import { Chart, type ChartSeries } from '../components/chart';
import { ago, Empty, ErrorText, Loading, useLoad } from '../components/ui';
import { loadAppMetrics, RANGES, type AppMetrics, type Range } from '../metrics-api';

const secs = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);
const fmt = (v: number | null | undefined, unit = 'ms') => (v === null || v === undefined ? '–' : `${Math.round(v * 10) / 10}${unit === '' ? '' : ` ${unit}`}`);
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
  const dynoTimes = m.dynos[0]?.memory.points.map((p) => secs(p.time)) ?? [];
  const memory: ChartSeries[] = m.dynos.flatMap((d, i) => [
    { label: `${d.type} mean`, stroke: palette[(2 * i) % palette.length], values: d.memory.points.map((p) => p.mean_mb) },
    { label: `${d.type} max`, stroke: palette[(2 * i + 1) % palette.length], values: d.memory.points.map((p) => p.max_mb) },
  ]);
  const load: ChartSeries[] = m.dynos.flatMap((d, i) => [
    { label: `${d.type} mean`, stroke: palette[(2 * i) % palette.length], values: d.load.points.map((p) => p.mean) },
    { label: `${d.type} max`, stroke: palette[(2 * i + 1) % palette.length], values: d.load.points.map((p) => p.max) },
  ]);
  return { times, response, queue, throughput, errors, codes, requests, errorCount, dynoTimes, memory, load };
}

export function MetricsTab({ app }: { app: App }) {
  const [range, setRange] = useState<Range>('1h');
  const metrics = useLoad(async () => {
    const types = (await get<Formation[]>(appPath(app.name, '/formation'))).map((f) => f.type);
    return loadAppMetrics(app.name, range, types);
  }, [app.name, range]);
  useEffect(() => {
    // Live: each new interval stored for the app (router summaries, dyno samples) triggers a reload of the window.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const sources = ['response-time', 'memory'].map((name) => {
      const source = new EventSource(sameOrigin(appPath(app.name, `/metrics/${name}/stream`)));
      source.addEventListener('point', () => {
        clearTimeout(timer);
        timer = setTimeout(() => void metrics.reload(), 250);
      });
      source.onerror = () => { if (source.readyState === EventSource.CLOSED) source.close(); };
      return source;
    });
    return () => {
      clearTimeout(timer);
      for (const source of sources) source.close();
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
          <h3>Dynos</h3>
          {m.dynos.length === 0 && <Empty>No process types yet: no dyno memory or load to show.</Empty>}
          {m.dynos.length > 0 && (
            <div class="charts">
              <Chart id="memory" title="Memory per process type (MB, mean and max over the dynos)" unit="MB" times={c.dynoTimes} series={c.memory} events={events} dots
                summary={m.dynos.map((d) => {
                  const quota = lastKnown(d.memory.points, (p) => p.quota_mb);
                  return `${d.type}: ${d.memory.points.reduce((n, p) => n + p.samples, 0)} samples, latest mean ${fmt(lastKnown(d.memory.points, (p) => p.mean_mb), 'MB')}, max ${fmt(lastKnown(d.memory.points, (p) => p.max_mb), 'MB')}${quota === null ? '' : ` of ${fmt(quota, 'MB')}`}.`;
                }).join(' ')} />
              <Chart id="load" title="Dyno load (1 min average, CPUs busy)" unit="load" times={c.dynoTimes} series={c.load} events={events} dots
                summary={m.dynos.map((d) => `${d.type}: latest mean ${fmt(lastKnown(d.load.points, (p) => p.mean), '')}, max ${fmt(lastKnown(d.load.points, (p) => p.max), '')}.`).join(' ')} />
            </div>
          )}
          <h3>Events</h3>
          {m.events.length === 0 && <Empty>No events in this window.</Empty>}
          <ul class="plain events">{m.events.slice(-30).reverse().map((e, i) => <li key={i}><span class="muted">{ago(e.time)}</span> {e.type}: {e.message}</li>)}</ul>
        </>
      )}
    </div>
  );
}
