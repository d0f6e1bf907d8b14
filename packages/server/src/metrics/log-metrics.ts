/**
 * Log-based metrics (Heroku's custom language metrics / l2met): an app's own lines carrying
 * `sample#name=value[unit]`, `count#name=n` or `measure#name=value[unit]` become series of that
 * app (`custom:<name>`), aggregated per process type and 10 s interval like every other kind.
 * Bounded: at most MAX_LOG_SERIES names per app; lines naming more are dropped and counted (a
 * warning with the count, at most once per app per interval).
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { PointCodec } from './point-writer.js';

export const MAX_LOG_SERIES = 50;
export const CUSTOM_PREFIX = 'custom:';

export type LogMetricKind = 'sample' | 'count' | 'measure';

export interface LogMetricValue {
  kind: LogMetricKind;
  unit: string;
  /** Values seen (for count#: lines), their sum, extremes, and the latest. */
  n: number;
  sum: number;
  min: number;
  max: number;
  last: number;
  lastAt: number;
}

/** Stored per app, process type and interval: every series seen in it. */
export type LogPointData = Record<string, LogMetricValue>;

const TOKEN = /(?:^|\s)(sample|count|measure)#([A-Za-z0-9_.\-:]{1,100})=(-?\d+(?:\.\d+)?)([A-Za-z%]{0,10})(?=\s|$)/g;

/** The l2met tokens of one line: `[kind, name, value, unit]`. */
export function parseL2met(message: string): [LogMetricKind, string, number, string][] {
  if (!message.includes('#')) return [];
  const out: [LogMetricKind, string, number, string][] = [];
  for (const m of message.matchAll(TOKEN)) out.push([m[1] as LogMetricKind, m[2], Number(m[3]), m[4]]);
  return out;
}

export function mergeLogPoints(parts: readonly LogPointData[]): LogPointData {
  const out: LogPointData = {};
  for (const p of parts) {
    for (const [name, v] of Object.entries(p)) {
      const o = out[name];
      if (!o) {
        out[name] = { ...v };
        continue;
      }
      o.n += v.n;
      o.sum += v.sum;
      o.min = Math.min(o.min, v.min);
      o.max = Math.max(o.max, v.max);
      if (v.lastAt >= o.lastAt) {
        o.last = v.last;
        o.lastAt = v.lastAt;
      }
    }
  }
  return out;
}

export const logCodec: PointCodec<LogPointData> = {
  kind: 'log',
  merge: mergeLogPoints,
  encode: (d) => deflateRawSync(JSON.stringify(d)),
  decode: (b) => JSON.parse(inflateRawSync(b).toString('utf8')) as LogPointData,
};

/** A bucket's value of one series: count# sums, sample# keeps the latest, measure# gives mean/min/max. */
export function logValue(v: LogMetricValue | undefined, stepS: number): Record<string, unknown> {
  if (!v) return { kind: null, unit: null, lines: 0, value: null };
  const r = (x: number) => Math.round(x * 1000) / 1000;
  if (v.kind === 'count') return { kind: 'count', unit: v.unit, lines: v.n, value: r(v.sum), per_minute: r((v.sum * 60) / stepS) };
  if (v.kind === 'sample') return { kind: 'sample', unit: v.unit, lines: v.n, value: r(v.last), min: r(v.min), max: r(v.max) };
  return { kind: 'measure', unit: v.unit, lines: v.n, value: r(v.sum / v.n), mean: r(v.sum / v.n), min: r(v.min), max: r(v.max) };
}

/** Per app: the names it has used (bounded) and how many tokens were dropped for being past the bound. */
export class LogSeriesBound {
  private readonly names = new Map<string, Set<string>>();
  readonly dropped = new Map<string, number>();

  admit(appId: string, name: string): boolean {
    let set = this.names.get(appId);
    if (!set) this.names.set(appId, (set = new Set()));
    if (set.has(name)) return true;
    if (set.size >= MAX_LOG_SERIES) {
      this.dropped.set(appId, (this.dropped.get(appId) ?? 0) + 1);
      return false;
    }
    set.add(name);
    return true;
  }

  /** The app's names, e.g. after a restart read back from the store. */
  seed(appId: string, names: Iterable<string>): void {
    for (const n of names) this.admit(appId, n);
  }
}
