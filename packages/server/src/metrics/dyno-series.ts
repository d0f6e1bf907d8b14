/**
 * Dyno metrics: memory (RSS, swap, cache, % of the size's quota) and load, per app and process
 * type, from the usage samples the dyno manager takes through the RuntimeDriver (cgroups for runc
 * dynos, /proc for process dynos, whatever a remote driver reports). Load is Heroku's
 * `load_avg_1m`: an exponentially damped 1-minute average of the CPUs the dyno kept busy, computed
 * from its cumulative CPU time.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { PointCodec } from './point-writer.js';

/** One sample of one dyno, as the dyno manager reports it (structurally the manager's DynoUsageSample). */
export interface DynoSample {
  appId: string;
  dyno: string;
  /** The dyno's id (Heroku's `dyno=heroku.<app>.<id>` in runtime-metrics lines). */
  dynoId?: string;
  type: string;
  quotaBytes: number;
  atMs: number;
  usage: { memoryBytes: number; cpuMicros: number; rssBytes?: number; swapBytes?: number; cacheBytes?: number };
  /** The manager's memory verdict when over quota. */
  verdict?: 'R14' | 'R15';
}

/** What is stored per interval and process type: sums and maxima over every sample of every dyno. */
export interface DynoPointData {
  samples: number;
  totalSum: number;
  totalMax: number;
  rssMax: number;
  swapMax: number;
  cacheMax: number;
  quotaBytes: number;
  loadSum: number;
  loadMax: number;
  /** Highest memory_total as a share of the quota, 0–1+. */
  quotaMax: number;
}

export const EMPTY_DYNO: Readonly<DynoPointData> = Object.freeze({ samples: 0, totalSum: 0, totalMax: 0, rssMax: 0, swapMax: 0, cacheMax: 0, quotaBytes: 0, loadSum: 0, loadMax: 0, quotaMax: 0 });

export const dynoCodec: PointCodec<DynoPointData> = {
  kind: 'dyno',
  merge(parts) {
    const out: DynoPointData = { ...EMPTY_DYNO };
    for (const p of parts) {
      out.samples += p.samples;
      out.totalSum += p.totalSum;
      out.loadSum += p.loadSum;
      out.totalMax = Math.max(out.totalMax, p.totalMax);
      out.rssMax = Math.max(out.rssMax, p.rssMax);
      out.swapMax = Math.max(out.swapMax, p.swapMax);
      out.cacheMax = Math.max(out.cacheMax, p.cacheMax);
      out.quotaBytes = Math.max(out.quotaBytes, p.quotaBytes);
      out.loadMax = Math.max(out.loadMax, p.loadMax);
      out.quotaMax = Math.max(out.quotaMax, p.quotaMax);
    }
    return out;
  },
  encode: (d) => deflateRawSync(JSON.stringify(d)),
  decode: (b) => JSON.parse(inflateRawSync(b).toString('utf8')) as DynoPointData,
};

export const DYNO_METRICS = ['memory', 'load'] as const;
export type DynoMetricName = (typeof DYNO_METRICS)[number];

const MB = 1024 * 1024;
const mb = (bytes: number) => Math.round((bytes / MB) * 100) / 100;
const r2 = (v: number) => Math.round(v * 100) / 100;

export function dynoValue(name: DynoMetricName, d: DynoPointData): Record<string, unknown> {
  const has = d.samples > 0;
  if (name === 'memory') {
    return {
      samples: d.samples, mean_mb: has ? mb(d.totalSum / d.samples) : null, max_mb: has ? mb(d.totalMax) : null,
      rss_max_mb: has ? mb(d.rssMax) : null, swap_max_mb: has ? mb(d.swapMax) : null, cache_max_mb: has ? mb(d.cacheMax) : null,
      quota_mb: has ? mb(d.quotaBytes) : null, quota_max_pct: has ? r2(d.quotaMax * 100) : null,
    };
  }
  return { samples: d.samples, mean: has ? r2(d.loadSum / d.samples) : null, max: has ? r2(d.loadMax) : null };
}

/** `load_avg_1m` per dyno, damped like the kernel's: load += (busy − load) · (1 − e^(−Δt/60 s)). */
export class LoadAverages {
  private readonly last = new Map<string, { atMs: number; cpuMicros: number; m1: number; m5: number; m15: number }>();

  /** The dyno's 1-minute load after this sample (0 for its first). */
  update(key: string, atMs: number, cpuMicros: number): number {
    return this.updateAll(key, atMs, cpuMicros).m1;
  }

  /** The 1, 5 and 15-minute averages after this sample. */
  updateAll(key: string, atMs: number, cpuMicros: number): { m1: number; m5: number; m15: number } {
    const prev = this.last.get(key);
    if (!prev || cpuMicros < prev.cpuMicros) {
      // first sample, or a new process under the same name: start again from 0
      const zero = { atMs, cpuMicros, m1: 0, m5: 0, m15: 0 };
      this.last.set(key, zero);
      return zero;
    }
    if (atMs <= prev.atMs) return prev;
    const dt = atMs - prev.atMs;
    const busy = (cpuMicros - prev.cpuMicros) / 1000 / dt;
    const damp = (old: number, minutes: number) => old + (busy - old) * (1 - Math.exp(-dt / (minutes * 60_000)));
    const next = { atMs, cpuMicros, m1: damp(prev.m1, 1), m5: damp(prev.m5, 5), m15: damp(prev.m15, 15) };
    this.last.set(key, next);
    return next;
  }

  forget(key: string): void {
    this.last.delete(key);
  }
}

/** One sample as stored data. */
export function sampleData(s: DynoSample, load: number): DynoPointData {
  const swap = s.usage.swapBytes ?? 0;
  const total = s.usage.memoryBytes + swap;
  return {
    samples: 1, totalSum: total, totalMax: total, rssMax: s.usage.rssBytes ?? s.usage.memoryBytes, swapMax: swap,
    cacheMax: s.usage.cacheBytes ?? 0, quotaBytes: s.quotaBytes, loadSum: load, loadMax: load, quotaMax: s.quotaBytes > 0 ? total / s.quotaBytes : 0,
  };
}
