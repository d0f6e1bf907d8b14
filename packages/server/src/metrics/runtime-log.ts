/**
 * Heroku's `log-runtime-metrics` lab: for apps that enabled it, each dyno's memory and load go to
 * the app's log every 20 s, from the same samples as the metrics, as `heroku[web.1]` lines:
 *
 *   source=web.1 dyno=heroku.<app id>.<dyno id> sample#memory_total=21.00MB sample#memory_rss=21.00MB sample#memory_cache=0.00MB sample#memory_swap=0.00MB sample#memory_quota=512.00MB
 *   source=web.1 dyno=heroku.<app id>.<dyno id> sample#load_avg_1m=0.00 sample#load_avg_5m=0.00 sample#load_avg_15m=0.00
 *
 * (Heroku's `memory_pgpgin`/`memory_pgpgout` page counters are not reported.)
 */
import type { LogSink } from '../logplex/types.js';
import type { DynoSample } from './dyno-series.js';

export const RUNTIME_METRICS_FEATURE = 'log-runtime-metrics';
export const RUNTIME_LOG_EVERY_MS = 20_000;

const mb = (bytes: number | undefined) => `${((bytes ?? 0) / 1024 / 1024).toFixed(2)}MB`;

export function runtimeMetricLines(s: DynoSample, load: { m1: number; m5: number; m15: number }): [string, string] {
  const head = `source=${s.dyno} dyno=heroku.${s.appId}.${s.dynoId ?? s.dyno}`;
  const swap = s.usage.swapBytes ?? 0;
  return [
    `${head} sample#memory_total=${mb(s.usage.memoryBytes + swap)} sample#memory_rss=${mb(s.usage.rssBytes ?? s.usage.memoryBytes)} sample#memory_cache=${mb(s.usage.cacheBytes)} sample#memory_swap=${mb(swap)} sample#memory_quota=${mb(s.quotaBytes)}`,
    `${head} sample#load_avg_1m=${load.m1.toFixed(2)} sample#load_avg_5m=${load.m5.toFixed(2)} sample#load_avg_15m=${load.m15.toFixed(2)}`,
  ];
}

/** Publishes the lines of apps with the feature on, at most once per dyno every 20 s. */
export function createRuntimeLog(deps: { logs: LogSink }) {
  let enabled = new Set<string>();
  const last = new Map<string, number>();
  return {
    setEnabled(appIds: Iterable<string>) {
      enabled = new Set(appIds);
    },
    sample(s: DynoSample, load: { m1: number; m5: number; m15: number }) {
      if (!enabled.has(s.appId)) return;
      const key = `${s.appId}\0${s.dyno}`;
      if (s.atMs - (last.get(key) ?? -Infinity) < RUNTIME_LOG_EVERY_MS) return;
      last.set(key, s.atMs);
      for (const message of runtimeMetricLines(s, load)) deps.logs.publish(s.appId, { source: 'heroku', dyno: s.dyno, message, time: new Date(s.atMs) });
    },
  };
}
