/**
 * Routing decisions as pure functions of state: which dyno gets a request (least outstanding
 * requests, ties broken at random, per-dyno concurrency limit, quarantined dynos skipped) and what
 * happens to a request no dyno can take right now (queue, or an H-code).
 */
import type { RouterApp } from './types.js';
import type { RouterCode } from './codes.js';

export interface DynoLoad {
  key: string;
  outstanding: number;
  /** Refused a connection recently (Heroku quarantines such a dyno for a few seconds). */
  quarantined: boolean;
}

/**
 * The dyno with the fewest outstanding requests among those under `limit` (null = unlimited),
 * ties broken by `random()` (0 ≤ r < 1). Quarantined dynos are used only when no other can take it.
 * Returns undefined when every dyno is at its limit.
 */
export function pickDyno(loads: readonly DynoLoad[], limit: number | null, random: () => number = Math.random): string | undefined {
  const open = loads.filter((d) => limit === null || d.outstanding < limit);
  const healthy = open.filter((d) => !d.quarantined);
  const pool = healthy.length > 0 ? healthy : open;
  if (pool.length === 0) return undefined;
  let min = Infinity;
  for (const d of pool) min = Math.min(min, d.outstanding);
  const best = pool.filter((d) => d.outstanding === min);
  return best[Math.min(best.length - 1, Math.floor(random() * best.length))].key;
}

export type Admission =
  | { kind: 'reject'; code: RouterCode }
  /** Some web dyno is up: dispatch now if one is free, else wait for one to free up. */
  | { kind: 'route' }
  /** No web dyno is up yet but one is starting: wait for it (H20 past the boot timeout). */
  | { kind: 'wait-boot' };

/** What to do with a request for `app`, before looking at load. */
export function admit(app: RouterApp): Admission {
  if (app.maintenance) return { kind: 'reject', code: 'H80' };
  const web = app.dynos;
  if (web.some((d) => isRoutable(d))) return { kind: 'route' };
  if (web.some((d) => d.state === 'starting')) return { kind: 'wait-boot' };
  if (web.some((d) => d.state === 'crashed')) return { kind: 'reject', code: 'H10' };
  return { kind: 'reject', code: 'H14' };
}

export function isRoutable(d: { state: string; host: string | null; port: number | null }): boolean {
  return d.state === 'up' && d.host !== null && d.port !== null;
}

/** Whether one more request may join an app's queue of `length` (H11 past `max`). */
export function canQueue(length: number, max: number): boolean {
  return length < max;
}

/** Parses `SLIPWAY_DYNO_CONCURRENCY`: a positive integer, anything else means unlimited. */
export function parseConcurrency(raw: string | undefined): number | null {
  if (raw === undefined || !/^\s*\d+\s*$/.test(raw)) return null;
  const n = Number(raw);
  return n >= 1 ? n : null;
}
