/**
 * The router's recent intervals of one process type, as the autoscaler reads them: per stored 10 s
 * interval, the requests, the p95 of total time and of queue time (from the interval's merged
 * sketches) and the mean service time. The interval still being filled counts only the time it
 * has covered so far, so a rate over it is not diluted.
 */
import type { Store } from '../store/types.js';
import { routerCodec } from './router-series.js';
import { quantile } from './sketch.js';
import { TIERS } from './tiers.js';

export interface RouterInterval {
  startMs: number;
  /** The part of the interval its numbers cover (10 s, or less for the one still open). */
  windowMs: number;
  requests: number;
  totalP95Ms: number | null;
  queueP95Ms: number | null;
  meanServiceMs: number | null;
}

export function createRecentRouterReader(deps: { store: Pick<Store, 'metrics'>; now?: () => number }) {
  const now = deps.now ?? Date.now;
  const stepMs = TIERS[0].stepS * 1000;
  return {
    /** Intervals that end in (fromMs, toMs], oldest first (intervals without requests are absent). */
    async intervals(appId: string, processType: string, fromMs: number, toMs: number): Promise<RouterInterval[]> {
      const rows = await deps.store.metrics.range({ appId, kind: 'router', stepS: TIERS[0].stepS, fromMs: fromMs - stepMs + 1, toMs, processType });
      const t = now();
      return rows.map((row) => {
        const d = routerCodec.decode(row.data);
        return {
          startMs: row.startMs,
          windowMs: Math.max(1, Math.min(stepMs, t - row.startMs)),
          requests: d.requests,
          totalP95Ms: quantile(d.total, 0.95),
          queueP95Ms: quantile(d.queue, 0.95),
          meanServiceMs: d.service.n > 0 ? d.service.sum / d.service.n : null,
        };
      });
    },
  };
}

export type RecentRouterReader = ReturnType<typeof createRecentRouterReader>;
