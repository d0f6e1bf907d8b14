/**
 * The autoscaler: every `intervalMs` it reads each active scale monitor, the type's formation and
 * what the metrics say about the type, asks the pure decision (`decide`, or `herokuPolicy` for a
 * monitor whose strategy is `heroku`) and, when it says so, scales the formation through the app
 * service — desired state only; the dyno manager does the rest. A failure on one app is logged and
 * never stops the loop. The loop owns its timer; `stop` waits for a tick under way.
 */
import type { Logger } from '../log/index.js';
import type { AppRecord, MonitorRecord, Store } from '../store/types.js';
import { decide, herokuPolicy, type DecideInput, type Decision, type LoadSample } from './decide.js';
import { policyOf } from './monitors.js';

/** What the autoscaler reads from the metrics (the metrics room supplies it; it reaches dynos on any machine through the router). */
export interface AutoscaleSignals {
  /** The type's router samples (one per metrics interval) that end in (fromMs, toMs], oldest first. */
  loadSamples(appId: string, processType: string, fromMs: number, toMs: number): Promise<LoadSample[]>;
  /** The mean of an l2met metric the app logged in (fromMs, toMs], or null when it logged none. */
  metricValue(appId: string, name: string, fromMs: number, toMs: number): Promise<number | null>;
}

export interface AutoscalerDeps {
  store: Store;
  signals: AutoscaleSignals;
  /** Writes the formation and says the scale line (the app service's `scale` with no user). */
  scale(app: AppRecord, type: string, quantity: number, by: string): Promise<void>;
  logger: Logger;
  now?: () => number;
  /** How often decisions are taken (default 2 s). */
  intervalMs?: number;
  /** The window the up decision reads (default 10 s: one router interval). */
  windowMs?: number;
  /** How long the load must stay low before dynos are removed (default 2 min). */
  downWindowMs?: number;
}

export interface Autoscaler {
  start(): void;
  /** One pass over every active monitor (the timer calls it; tests call it directly). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

/** `SLIPWAY_DYNO_CONCURRENCY`: requests one dyno serves at once (the router's limit), 1 when unset. */
export function concurrencyOf(vars: Record<string, string>): number {
  const raw = vars.SLIPWAY_DYNO_CONCURRENCY;
  return raw !== undefined && /^\s*\d+\s*$/.test(raw) && Number(raw) >= 1 ? Number(raw) : 1;
}

export function createAutoscaler(deps: AutoscalerDeps): Autoscaler {
  const now = deps.now ?? Date.now;
  const intervalMs = deps.intervalMs ?? 2_000;
  const windowMs = deps.windowMs ?? 10_000;
  const downWindowMs = deps.downWindowMs ?? 120_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;
  /** When each type last saw a request (ms), learned from the samples. */
  const lastRequest = new Map<string, number>();

  async function inputFor(m: MonitorRecord, quantity: number, lastChangeAt: number): Promise<DecideInput> {
    const t = now();
    const policy = policyOf(m);
    const horizon = Math.max(windowMs, downWindowMs);
    const samples = await deps.signals.loadSamples(m.appId, m.processType, t - horizon, t);
    const key = `${m.appId}/${m.processType}`;
    for (const s of samples) if (s.arrivals > 0 && s.endMs !== undefined) lastRequest.set(key, Math.max(lastRequest.get(key) ?? 0, s.endMs));
    const recent = samples.filter((s) => s.endMs === undefined || s.endMs > t - downWindowMs);
    const latest = samples.filter((s) => s.endMs === undefined || s.endMs > t - windowMs);
    const before = samples.filter((s) => s.endMs !== undefined && s.endMs <= t - windowMs && s.endMs > t - 2 * windowMs);
    return {
      now: t, policy, quantity,
      concurrency: concurrencyOf(await deps.store.configVars.get(m.appId)),
      load: latest.length ? combine(latest) : null,
      previous: before.length ? combine(before) : null,
      recent,
      metricValue: policy.metric ? await deps.signals.metricValue(m.appId, policy.metric.name, t - windowMs, t) : null,
      lastChangeAt, lastRequestAt: lastRequest.get(key) ?? null, downWindowMs,
    };
  }

  async function decideOne(m: MonitorRecord): Promise<void> {
    const formation = await deps.store.formation.get(m.appId, m.processType);
    const app = formation && (await deps.store.apps.get(m.appId));
    if (!formation || !app) return;
    const input = await inputFor(m, formation.quantity, formation.updatedAt.getTime());
    const decision: Decision | null = m.strategy === 'heroku' ? herokuPolicy(input) : decide(input);
    if (!decision || decision.quantity === formation.quantity) return;
    deps.logger.info('autoscale.scale', { app: app.name, type: m.processType, from: formation.quantity, to: decision.quantity, reason: decision.reason });
    await deps.scale(app, m.processType, decision.quantity, `autoscaler (${decision.reason})`);
  }

  async function tick(): Promise<void> {
    const monitors = await deps.store.monitors.listActiveScale();
    for (const m of monitors) {
      try {
        await decideOne(m);
      } catch (err) {
        deps.logger.error('autoscale.failed', { app_id: m.appId, type: m.processType, error: String(err) });
      }
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick()
        .catch((err) => deps.logger.error('autoscale.tick_failed', { error: String(err) }))
        .finally(() => {
          running = undefined;
          schedule();
        });
    }, intervalMs);
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    tick,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/** Several consecutive samples as one window: counts add, the slowest p95 counts, service time is averaged by requests. */
export function combine(samples: LoadSample[]): LoadSample {
  const arrivals = samples.reduce((n, s) => n + s.arrivals, 0);
  const served = samples.filter((s) => s.meanServiceMs !== null && s.arrivals > 0);
  const maxOf = (pick: (s: LoadSample) => number | null) => samples.reduce<number | null>((m, s) => (pick(s) === null ? m : Math.max(m ?? 0, pick(s)!)), null);
  return {
    windowMs: samples.reduce((n, s) => n + s.windowMs, 0),
    arrivals,
    p95Ms: maxOf((s) => s.p95Ms),
    queueP95Ms: maxOf((s) => s.queueP95Ms),
    meanServiceMs: served.length ? served.reduce((sum, s) => sum + s.meanServiceMs! * s.arrivals, 0) / served.reduce((n, s) => n + s.arrivals, 0) : null,
  };
}
