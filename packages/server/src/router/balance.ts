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
  /** Not a candidate for this request at all (its connect already failed for it). */
  excluded?: boolean;
}

/**
 * The dyno with the fewest outstanding requests among those under `limit` (null = unlimited),
 * ties broken by `random()` (0 ≤ r < 1). Quarantined dynos are used only when no other can take it.
 * Returns undefined when every dyno is at its limit.
 */
export function pickDyno(loads: readonly DynoLoad[], limit: number | null, random: () => number = Math.random): string | undefined {
  const i = pickDynoIndex(loads, limit, random);
  return i < 0 ? undefined : loads[i].key;
}

/**
 * `pickDyno` as an index into `loads` (-1 = none), without allocating: it runs once per routed
 * request. Ties are broken in `loads` order by one `random()` call, exactly as `pickDyno` does.
 */
export function pickDynoIndex(loads: readonly DynoLoad[], limit: number | null, random: () => number = Math.random): number {
  let openMin = Infinity;
  let openTies = 0;
  let healthyMin = Infinity;
  let healthyTies = 0;
  for (let i = 0; i < loads.length; i++) {
    const d = loads[i];
    if (d.excluded || (limit !== null && d.outstanding >= limit)) continue;
    if (d.outstanding < openMin) {
      openMin = d.outstanding;
      openTies = 1;
    } else if (d.outstanding === openMin) openTies += 1;
    if (d.quarantined) continue;
    if (d.outstanding < healthyMin) {
      healthyMin = d.outstanding;
      healthyTies = 1;
    } else if (d.outstanding === healthyMin) healthyTies += 1;
  }
  const healthy = healthyTies > 0;
  const ties = healthy ? healthyTies : openTies;
  if (ties === 0) return -1;
  const min = healthy ? healthyMin : openMin;
  let k = Math.min(ties - 1, Math.floor(random() * ties));
  for (let i = 0; i < loads.length; i++) {
    const d = loads[i];
    if (d.excluded || (limit !== null && d.outstanding >= limit) || (healthy && d.quarantined) || d.outstanding !== min) continue;
    if (k-- === 0) return i;
  }
  return -1;
}

export type Admission =
  | { kind: 'reject'; code: RouterCode }
  /** Some web dyno is up: dispatch now if one is free, else wait for one to free up. */
  | { kind: 'route' }
  /** No web dyno is up yet but one is starting: wait for it (H20 past the boot timeout). */
  | { kind: 'wait-boot' }
  /** Scaled to zero: ask the platform for a dyno, then wait for it as for a boot. */
  | { kind: 'wake' };

/** What to do with a request for `app`, before looking at load. */
export function admit(app: RouterApp): Admission {
  if (app.maintenance) return { kind: 'reject', code: 'H80' };
  const web = app.dynos;
  if (web.some((d) => isRoutable(d))) return { kind: 'route' };
  if (web.some((d) => d.state === 'starting')) return { kind: 'wait-boot' };
  if (web.some((d) => d.state === 'crashed')) return { kind: 'reject', code: 'H10' };
  if (app.wakeable) return { kind: 'wake' };
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
