/**
 * The recent value of one metric an app logs in the l2met form (`sample#queue_depth=120`), as the
 * autoscaler reads it for a worker's scale monitor: over the stored 10 s intervals of every process
 * type, the latest sample, the mean of measures, or the sum of counts.
 */
import type { Store } from '../store/types.js';
import { CUSTOM_PREFIX, logCodec, mergeLogPoints } from './log-metrics.js';
import { TIERS } from './tiers.js';

export function createRecentLogReader(deps: { store: Pick<Store, 'metrics'> }) {
  const stepMs = TIERS[0].stepS * 1000;
  return {
    /** The metric's value over intervals ending in (fromMs, toMs]; null when the app logged none. */
    async value(appId: string, name: string, fromMs: number, toMs: number): Promise<number | null> {
      const rows = await deps.store.metrics.range({ appId, kind: 'log', stepS: TIERS[0].stepS, fromMs: fromMs - stepMs + 1, toMs });
      const key = name.startsWith(CUSTOM_PREFIX) ? name.slice(CUSTOM_PREFIX.length) : name;
      const v = mergeLogPoints(rows.map((r) => logCodec.decode(r.data)))[key];
      if (!v || v.n === 0) return null;
      if (v.kind === 'sample') return v.last;
      if (v.kind === 'measure') return v.sum / v.n;
      return v.sum;
    },
  };
}

export type RecentLogReader = ReturnType<typeof createRecentLogReader>;
