/**
 * The metrics service in the API process: ingests the router's interval summaries (and dyno
 * samples) into the store's tiers, answers series queries, tells live subscribers about new
 * intervals, and prunes each tier past its retention. The store is the one source of truth: a
 * restarted platform answers from it.
 */
import { InvalidParamsError, NotFoundError } from '../errors.js';
import type { Logger } from '../log/index.js';
import type { LogSink } from '../logplex/types.js';
import { createRuntimeLog, RUNTIME_METRICS_FEATURE } from './runtime-log.js';
import { CUSTOM_PREFIX, logCodec, LogSeriesBound, logValue, parseL2met, type LogPointData } from './log-metrics.js';
import type { MetricEventRecord, Store } from '../store/index.js';
import { DYNO_METRICS, dynoCodec, dynoValue, EMPTY_DYNO, LoadAverages, sampleData, type DynoMetricName, type DynoPointData, type DynoSample } from './dyno-series.js';
import { createPointWriter, type IncomingPoint, type PointCodec } from './point-writer.js';
import { ROUTER_METRICS, routerCodec, routerValue, stripKey, type RouterMetricName, type RouterPointData } from './router-series.js';
import type { RouterSummary } from './router-summary.js';
import { quantile } from './sketch.js';
import { EVENTS_RETAIN_MS, floorTo, MAX_POINTS, planQuery, TIERS } from './tiers.js';

export interface SeriesQuery {
  startMs?: number;
  endMs?: number;
  stepS?: number;
  processType?: string;
}

export interface SeriesPoint {
  time: string;
  [field: string]: unknown;
}

export interface Series {
  name: string;
  processType: string;
  startMs: number;
  endMs: number;
  stepS: number;
  points: SeriesPoint[];
}

/** One new interval for live subscribers. */
export interface LiveUpdate {
  appId: string;
  kind: string;
  processType: string;
  startMs: number;
  stepS: number;
  values: (name: string) => Record<string, unknown> | undefined;
  /** The interval's router numbers (kind `router`). */
  router?: RouterPointData;
}

/** What the autoscaler and the dashboard read: the router's numbers for a process type over a recent window. */
export interface LatestRouterMetrics {
  windowMs: number;
  requests: number;
  rpm: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  queueP95: number | null;
  /** Share of requests answered 5xx (H-codes included), 0–1; null without requests. */
  errorRate: number | null;
}

export interface MetricsDeps {
  store: Store;
  logger: Logger;
  now?: () => number;
  /** How often retention runs (default 1 min). */
  pruneEveryMs?: number;
  /** Where `log-runtime-metrics` lines go (the apps' log channels). */
  logs?: LogSink;
}

export interface Metrics {
  ingestRouter(summaries: readonly RouterSummary[]): Promise<void>;
  /** A dyno usage sample (from the dyno manager); kept per 10 s interval and process type, written every 10 s. */
  recordDyno(sample: DynoSample): void;
  /** Writes the dyno samples and log metrics buffered so far. */
  flushDynos(): Promise<void>;
  /** An app's own log line (dyno output): its l2met tokens become `custom:<name>` series. */
  observeLogLine(appId: string, line: { source: string; dyno: string; message: string; time?: Date }): void;
  /** The `custom:<name>` series an app logged in the last 24 hours. */
  customMetrics(appId: string): Promise<string[]>;
  series(appId: string, name: string, q?: SeriesQuery): Promise<Series>;
  latest(appId: string, processType?: string, windowMs?: number): Promise<LatestRouterMetrics>;
  events(appId: string, startMs: number, endMs: number): Promise<MetricEventRecord[]>;
  recordEvent(event: Omit<MetricEventRecord, 'atMs'> & { atMs?: number }): Promise<void>;
  /** New intervals of one app as they are stored; `'*'` for every app. */
  subscribe(appId: string, listener: (u: LiveUpdate) => void): () => void;
  /** Deletes what is past each tier's retention. */
  prune(): Promise<void>;
  /** Resolves when every write queued so far is stored. */
  idle(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

const HOUR = 3_600_000;
export const METRIC_NAMES: readonly string[] = [...ROUTER_METRICS, ...DYNO_METRICS];
const DYNO_INTERVAL_MS = 10_000;

export function createMetrics(deps: MetricsDeps): Metrics {
  const now = deps.now ?? Date.now;
  const writer = createPointWriter({ store: deps.store, logger: deps.logger });
  const listeners = new Map<string, Set<(u: LiveUpdate) => void>>();
  let timer: NodeJS.Timeout | undefined;
  let pruning: Promise<void> | undefined;

  function notify(appId: string, u: LiveUpdate): void {
    for (const l of [...(listeners.get(appId) ?? []), ...(listeners.get('*') ?? [])]) {
      try {
        l(u);
      } catch (err) {
        deps.logger.error('metrics.listener_failed', { error: String(err) });
      }
    }
  }

  async function readMerged<T>(codec: PointCodec<T>, appId: string, processType: string | undefined, q: SeriesQuery): Promise<{ startMs: number; endMs: number; stepS: number; buckets: { t: number; data: T | undefined }[] }> {
    const endMs = q.endMs ?? now();
    const startMs = q.startMs ?? endMs - HOUR;
    if (!(startMs < endMs)) throw new InvalidParamsError('start must be before end.', 'start');
    const plan = planQuery(startMs, q.stepS ?? 60, now());
    const stepMs = plan.stepS * 1000;
    const first = floorTo(startMs, stepMs);
    const count = Math.ceil((endMs - first) / stepMs);
    if (count > MAX_POINTS) throw new InvalidParamsError(`That would be ${count} points; at most ${MAX_POINTS} per query: use a larger step.`, 'step');
    const rows = await deps.store.metrics.range({ appId, kind: codec.kind, stepS: plan.tier.stepS, fromMs: first, toMs: first + count * stepMs, processType });
    const groups = new Map<number, T[]>();
    for (const r of rows) {
      const t = floorTo(r.startMs, stepMs);
      let g = groups.get(t);
      if (!g) groups.set(t, (g = []));
      g.push(codec.decode(r.data));
    }
    const buckets = [];
    for (let i = 0; i < count; i++) {
      const t = first + i * stepMs;
      const g = groups.get(t);
      buckets.push({ t, data: g ? codec.merge(g) : undefined });
    }
    return { startMs: first, endMs: first + count * stepMs, stepS: plan.stepS, buckets };
  }

  const EMPTY_ROUTER: RouterPointData = routerCodec.merge([]);
  const loads = new LoadAverages();
  const runtimeLog = deps.logs ? createRuntimeLog({ logs: deps.logs }) : undefined;
  /** Re-reads which apps enabled log-runtime-metrics (at start and with every dyno flush). */
  async function refreshFeatures(): Promise<void> {
    if (runtimeLog) runtimeLog.setEnabled(await deps.store.appFeatures.appsWith(RUNTIME_METRICS_FEATURE));
  }
  /** Last R14/R15 event per dyno: one event per dyno and code every 10 minutes, not one per sample. */
  const memoryEvents = new Map<string, number>();
  const pendingEvents = new Set<Promise<void>>();
  let dynoBuffer = new Map<string, IncomingPoint<DynoPointData>>();
  let dynoTimer: NodeJS.Timeout | undefined;
  const logBound = new LogSeriesBound();
  let logBuffer = new Map<string, IncomingPoint<LogPointData>>();

  async function flushLogs(): Promise<void> {
    for (const [appId, n] of logBound.dropped) deps.logger.warn('metrics.log_series_dropped', { app_id: appId, dropped: n, max_series: 50 });
    logBound.dropped.clear();
    if (logBuffer.size === 0) return;
    const points = [...logBuffer.values()];
    logBuffer = new Map();
    await writer.write(logCodec, points);
    for (const p of points) {
      const stepS = DYNO_INTERVAL_MS / 1000;
      notify(p.appId, {
        appId: p.appId, kind: 'log', processType: p.processType, startMs: p.startMs, stepS,
        values: (name) => (name.startsWith(CUSTOM_PREFIX) && p.data[name.slice(CUSTOM_PREFIX.length)] ? logValue(p.data[name.slice(CUSTOM_PREFIX.length)], stepS) : undefined),
      });
    }
  }

  async function flushDynos(): Promise<void> {
    await refreshFeatures();
    await flushLogs();
    if (dynoBuffer.size === 0) return;
    const points = [...dynoBuffer.values()];
    dynoBuffer = new Map();
    await writer.write(dynoCodec, points);
    for (const p of points) {
      notify(p.appId, {
        appId: p.appId, kind: 'dyno', processType: p.processType, startMs: p.startMs, stepS: DYNO_INTERVAL_MS / 1000,
        values: (name) => ((DYNO_METRICS as readonly string[]).includes(name) ? dynoValue(name as DynoMetricName, p.data) : undefined),
      });
    }
  }

  async function recordEvent(e: Omit<MetricEventRecord, 'atMs'> & { atMs?: number }): Promise<void> {
    try {
      await deps.store.metrics.recordEvent({ ...e, atMs: e.atMs ?? now() });
    } catch (err) {
      deps.logger.warn('metrics.event_failed', { app_id: e.appId, type: e.type, error: String(err) });
    }
  }

  async function prune(): Promise<void> {
    const t = now();
    for (const tier of TIERS) await deps.store.metrics.prune(tier.stepS, floorTo(t - tier.retainMs, tier.stepS * 1000));
    await deps.store.metrics.pruneEvents(t - EVENTS_RETAIN_MS);
  }

  return {
    async ingestRouter(summaries) {
      if (summaries.length === 0) return;
      await writer.write(routerCodec, summaries.map((s) => ({ appId: s.appId, processType: s.processType, startMs: s.start, data: stripKey(s) })));
      for (const s of summaries) {
        const data = stripKey(s);
        const stepS = s.stepMs / 1000;
        notify(s.appId, {
          appId: s.appId, kind: 'router', processType: s.processType, startMs: s.start, stepS, router: data,
          values: (name) => ((ROUTER_METRICS as readonly string[]).includes(name) ? routerValue(name as RouterMetricName, data, stepS) : undefined),
        });
      }
    },

    recordDyno(sample) {
      if (sample.verdict) {
        const key = `${sample.appId}\0${sample.dyno}\0${sample.verdict}`;
        if (sample.atMs - (memoryEvents.get(key) ?? -Infinity) >= 600_000) {
          memoryEvents.set(key, sample.atMs);
          const mb = Math.round((sample.usage.memoryBytes / 1024 / 1024) * 10) / 10;
          const p = recordEvent({
            appId: sample.appId, atMs: sample.atMs, type: sample.verdict,
            message: `${sample.dyno} ${sample.verdict === 'R14' ? 'Error R14 (Memory quota exceeded)' : 'Error R15 (Memory quota vastly exceeded)'}: ${mb} MB`,
            data: { dyno: sample.dyno, memory_mb: mb },
          }).finally(() => pendingEvents.delete(p));
          pendingEvents.add(p);
        }
      }
      const all = loads.updateAll(`${sample.appId}\0${sample.dyno}`, sample.atMs, sample.usage.cpuMicros);
      const load = all.m1;
      runtimeLog?.sample(sample, all);
      const startMs = floorTo(sample.atMs, DYNO_INTERVAL_MS);
      const key = `${sample.appId}\0${sample.type}\0${startMs}`;
      const data = sampleData(sample, load);
      const had = dynoBuffer.get(key);
      dynoBuffer.set(key, { appId: sample.appId, processType: sample.type, startMs, data: had ? dynoCodec.merge([had.data, data]) : data });
    },

    flushDynos,

    observeLogLine(appId, line) {
      if (line.source !== 'app' || line.dyno === 'api') return;
      const tokens = parseL2met(line.message);
      if (tokens.length === 0) return;
      const atMs = line.time?.getTime() ?? now();
      const startMs = floorTo(atMs, DYNO_INTERVAL_MS);
      const processType = line.dyno.split('.')[0] || 'web';
      const key = `${appId}\0${processType}\0${startMs}`;
      let point = logBuffer.get(key);
      if (!point) logBuffer.set(key, (point = { appId, processType, startMs, data: {} }));
      for (const [kind, name, value, unit] of tokens) {
        if (!logBound.admit(appId, name)) continue;
        const one = { kind, unit, n: 1, sum: value, min: value, max: value, last: value, lastAt: atMs };
        point.data = point.data[name] ? logCodec.merge([point.data, { [name]: one }]) : { ...point.data, [name]: one };
      }
    },

    async customMetrics(appId) {
      const rows = await deps.store.metrics.range({ appId, kind: 'log', stepS: 600, fromMs: floorTo(now() - 24 * HOUR, 600_000), toMs: now() + 1 });
      const names = new Set<string>();
      for (const r of rows) for (const n of Object.keys(logCodec.decode(r.data))) names.add(`${CUSTOM_PREFIX}${n}`);
      return [...names].sort();
    },

    async series(appId, name, q = {}) {
      if (name.startsWith(CUSTOM_PREFIX) && name.length > CUSTOM_PREFIX.length) {
        const metric = name.slice(CUSTOM_PREFIX.length);
        const r = await readMerged(logCodec, appId, q.processType, q);
        return {
          name, processType: q.processType ?? '*', startMs: r.startMs, endMs: r.endMs, stepS: r.stepS,
          points: r.buckets.map((b) => ({ time: new Date(b.t).toISOString(), ...logValue(b.data?.[metric], r.stepS) })),
        };
      }
      if ((DYNO_METRICS as readonly string[]).includes(name)) {
        const processType = q.processType ?? 'web';
        const r = await readMerged(dynoCodec, appId, processType, q);
        return {
          name, processType, startMs: r.startMs, endMs: r.endMs, stepS: r.stepS,
          points: r.buckets.map((b) => ({ time: new Date(b.t).toISOString(), ...dynoValue(name as DynoMetricName, b.data ?? EMPTY_DYNO) })),
        };
      }
      if (!(ROUTER_METRICS as readonly string[]).includes(name)) throw new NotFoundError('metric', `Couldn't find that metric. Metrics: ${METRIC_NAMES.join(', ')}.`);
      const processType = q.processType ?? 'web';
      const r = await readMerged(routerCodec, appId, processType, q);
      return {
        name, processType, startMs: r.startMs, endMs: r.endMs, stepS: r.stepS,
        points: r.buckets.map((b) => ({ time: new Date(b.t).toISOString(), ...routerValue(name as RouterMetricName, b.data ?? EMPTY_ROUTER, r.stepS) })),
      };
    },

    async latest(appId, processType = 'web', windowMs = 60_000) {
      const endMs = now();
      const rows = await deps.store.metrics.range({ appId, kind: 'router', stepS: TIERS[0].stepS, fromMs: floorTo(endMs - windowMs, 10_000), toMs: endMs + 1, processType });
      const d = routerCodec.merge(rows.map((r) => routerCodec.decode(r.data)));
      return {
        windowMs, requests: d.requests, rpm: Math.round((d.requests * 60_000 * 100) / windowMs) / 100,
        p50: quantile(d.service, 0.5), p95: quantile(d.service, 0.95), p99: quantile(d.service, 0.99), queueP95: quantile(d.queue, 0.95),
        errorRate: d.requests ? (d.statuses['5xx'] ?? 0) / d.requests : null,
      };
    },

    events: (appId, startMs, endMs) => deps.store.metrics.events(appId, startMs, endMs),

    recordEvent,

    subscribe(appId, listener) {
      let set = listeners.get(appId);
      if (!set) listeners.set(appId, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(appId);
      };
    },

    prune,

    idle: () => writer.idle(),

    start() {
      const every = deps.pruneEveryMs ?? 60_000;
      const tick = () => {
        pruning = prune().catch((err) => deps.logger.error('metrics.prune_failed', { error: String(err) })).finally(() => {
          pruning = undefined;
        });
      };
      timer = setInterval(tick, every);
      timer.unref?.();
      refreshFeatures().catch((err) => deps.logger.error('metrics.features_failed', { error: String(err) }));
      dynoTimer = setInterval(() => {
        flushDynos().catch((err) => deps.logger.error('metrics.dyno_flush_failed', { error: String(err) }));
      }, DYNO_INTERVAL_MS);
      dynoTimer.unref?.();
    },

    async stop() {
      clearInterval(timer);
      clearInterval(dynoTimer);
      await flushDynos().catch((err) => deps.logger.error('metrics.dyno_flush_failed', { error: String(err) }));
      await Promise.all([...pendingEvents]);
      await pruning;
      await writer.idle();
    },
  };
}
