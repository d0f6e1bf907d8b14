/**
 * The autoscaler's signals from the metrics room: the router's stored intervals of a process type
 * as load samples, and the metrics an app logs (l2met) for worker monitors. The router aggregates where the requests are (possibly on another machine) and
 * ships one summary per interval; nothing here touches a dyno.
 */
import type { RecentLogReader, RecentRouterReader } from '../metrics/index.js';
import type { AutoscaleSignals } from './autoscaler.js';

export function metricsSignals(router: RecentRouterReader, logged: RecentLogReader): AutoscaleSignals {
  return {
    async loadSamples(appId, processType, fromMs, toMs) {
      const intervals = await router.intervals(appId, processType, fromMs, toMs);
      return intervals.map((i) => ({
        windowMs: i.windowMs,
        arrivals: i.requests,
        p95Ms: i.totalP95Ms,
        queueP95Ms: i.queueP95Ms,
        meanServiceMs: i.meanServiceMs,
        endMs: i.startMs + i.windowMs,
      }));
    },
    metricValue: (appId, name, fromMs, toMs) => logged.value(appId, name, fromMs, toMs),
  };
}
