/**
 * The applying layer of the balancing policy: the router's live state per app (outstanding
 * requests per dyno, pooled connections per dyno, the bounded wait queue) built from routing
 * tables, with `acquire`/`release` around each request. Decisions come from balance.ts.
 */
import { admit, canQueue, isRoutable, pickDynoIndex, type DynoLoad } from './balance.js';
import type { RouterCode } from './codes.js';
import { DynoPool } from './dyno-pool.js';
import type { RouterApp, RoutingTable } from './types.js';

export interface DispatcherConfig {
  routerTimeoutMs: number;
  routerQueueMax: number;
  routerBootTimeoutMs: number;
}

/** One web dyno as the router sees it, with its connection pool. */
export interface Slot {
  readonly key: string;
  readonly appId: string;
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Keep-alive connections to this dyno. */
  readonly pool: DynoPool;
  outstanding: number;
  /** Requests this dyno has been handed in total (tests and stats). */
  served: number;
  quarantinedUntil: number;
  retired: boolean;
}

export class RoutingRejection extends Error {
  constructor(readonly code: RouterCode) {
    super(code);
    this.name = 'RoutingRejection';
  }
}

interface Waiter {
  exclude: ReadonlySet<string>;
  resolve(slot: Slot): void;
  reject(err: RoutingRejection): void;
  timer: NodeJS.Timeout;
}

interface AppState {
  app: RouterApp;
  slots: Map<string, Slot>;
  /** `slots` in order, with one reusable load record each (picking allocates nothing). */
  list: Slot[];
  loads: DynoLoad[];
  queue: Waiter[];
}

/** A request's "the client went away": a plain flag and callback (an AbortController per request costs more). */
export class Cancellation {
  aborted = false;
  private listener: (() => void) | undefined;

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const l = this.listener;
    this.listener = undefined;
    l?.();
  }

  /** One listener at a time (the queue slot of the request). */
  onAbort(fn: (() => void) | undefined): void {
    this.listener = fn;
  }
}

export interface Acquired {
  slot: Slot;
  /** ms spent waiting in the queue. */
  queueMs: number;
}

export interface Dispatcher {
  setTable(table: RoutingTable): void;
  /** The app serving `hostname` (already normalised), if any. */
  lookup(hostname: string): RouterApp | undefined;
  /** A dyno for one request; waits in the app's queue when needed. Rejects with RoutingRejection. */
  acquire(appId: string, opts?: { exclude?: ReadonlySet<string>; signal?: Cancellation }): Promise<Acquired>;
  /** Ends one request on `slot`; the first queued request may take its place. */
  release(slot: Slot): void;
  /** Keep `slot` out of the rotation for `ms` (its connect was refused or timed out). */
  quarantine(slot: Slot, ms: number): void;
  /** Whether an app has another routable dyno outside `exclude`. */
  hasOther(appId: string, exclude: ReadonlySet<string>): boolean;
  stats(appId: string): { queued: number; dynos: { name: string; outstanding: number; served: number }[] } | undefined;
  close(): void;
}

const NONE: ReadonlySet<string> = new Set();

/** How often one idle app is asked to wake while requests keep arriving (the API makes it idempotent). */
export const WAKE_REPEAT_MS = 2_000;

export interface DispatcherDeps {
  config: DispatcherConfig;
  random?: () => number;
  now?: () => number;
  /** Asks the platform to start a web dyno of an app scaled to zero (fire and forget). */
  onWake?: (appId: string) => void;
}

export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const { config } = deps;
  const wokenAt = new Map<string, number>();
  const random = deps.random ?? Math.random;
  const now = deps.now ?? Date.now;
  const apps = new Map<string, AppState>();
  let hosts = new Map<string, string>();

  const slotKey = (appId: string, d: { name: string; host: string | null; port: number | null }) => `${appId}/${d.name}@${d.host}:${d.port}`;

  function pick(state: AppState, exclude: ReadonlySet<string> | undefined): Slot | undefined {
    const { list, loads } = state;
    let t = 0;
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      const l = loads[i];
      l.outstanding = s.outstanding;
      if (s.quarantinedUntil === 0) l.quarantined = false;
      else l.quarantined = s.quarantinedUntil > (t ||= now());
      l.excluded = exclude !== undefined && exclude.size > 0 && exclude.has(s.key);
    }
    const i = pickDynoIndex(loads, state.app.concurrency, random);
    return i < 0 ? undefined : list[i];
  }

  function relist(state: AppState): void {
    state.list = [...state.slots.values()];
    state.loads = state.list.map((s) => ({ key: s.key, outstanding: 0, quarantined: false, excluded: false }));
  }

  function take(slot: Slot): Slot {
    slot.outstanding += 1;
    slot.served += 1;
    return slot;
  }

  function retire(slot: Slot): void {
    slot.retired = true;
    if (slot.outstanding === 0) slot.pool.destroy();
  }

  /** Hands freed capacity to queued requests, in order; fails them when the app can no longer serve. */
  function drain(state: AppState): void {
    while (state.queue.length > 0) {
      const admission = admit(state.app);
      if (admission.kind === 'reject') {
        for (const w of state.queue.splice(0)) settle(w, () => w.reject(new RoutingRejection(admission.code)));
        return;
      }
      if (admission.kind === 'wait-boot' || admission.kind === 'wake') return;
      const head = state.queue[0];
      const slot = pick(state, head.exclude);
      if (!slot) {
        if ([...state.slots.keys()].every((k) => head.exclude.has(k))) {
          state.queue.shift();
          settle(head, () => head.reject(new RoutingRejection('H21')));
          continue;
        }
        return;
      }
      state.queue.shift();
      settle(head, () => head.resolve(take(slot)));
    }
  }

  function settle(w: Waiter, fn: () => void): void {
    clearTimeout(w.timer);
    fn();
  }

  return {
    setTable(table) {
      const nextHosts = new Map<string, string>();
      const seen = new Set<string>();
      for (const app of table.apps) {
        seen.add(app.appId);
        for (const h of app.hostnames) nextHosts.set(h.toLowerCase(), app.appId);
        let state = apps.get(app.appId);
        if (!state) apps.set(app.appId, (state = { app, slots: new Map(), list: [], loads: [], queue: [] }));
        state.app = app;
        const keep = new Set<string>();
        let changed = false;
        for (const d of app.dynos) {
          if (!isRoutable(d)) continue;
          const key = slotKey(app.appId, d);
          keep.add(key);
          if (!state.slots.has(key)) {
            changed = true;
            state.slots.set(key, {
              key, appId: app.appId, name: d.name, host: d.host as string, port: d.port as number,
              pool: new DynoPool({ host: d.host as string, port: d.port as number, maxIdle: 256 }),
              outstanding: 0, served: 0, quarantinedUntil: 0, retired: false,
            });
          }
        }
        for (const [key, slot] of state.slots) {
          if (keep.has(key)) continue;
          changed = true;
          state.slots.delete(key);
          retire(slot);
        }
        if (changed) relist(state);
      }
      for (const [appId, state] of apps) {
        if (seen.has(appId)) continue;
        apps.delete(appId);
        for (const slot of state.slots.values()) retire(slot);
        for (const w of state.queue.splice(0)) settle(w, () => w.reject(new RoutingRejection('H14')));
      }
      hosts = nextHosts;
      for (const state of apps.values()) drain(state);
    },

    lookup(hostname) {
      const appId = hosts.get(hostname);
      return appId === undefined ? undefined : apps.get(appId)?.app;
    },

    acquire(appId, opts = {}) {
      const state = apps.get(appId);
      if (!state) return Promise.reject(new RoutingRejection('H14'));
      const exclude = opts.exclude ?? NONE;
      const admission = admit(state.app);
      if (admission.kind === 'reject') return Promise.reject(new RoutingRejection(admission.code));
      if (admission.kind === 'route' && state.queue.length === 0) {
        const slot = pick(state, exclude);
        if (slot) return Promise.resolve({ slot: take(slot), queueMs: 0 });
        if ([...state.slots.keys()].every((k) => exclude.has(k))) return Promise.reject(new RoutingRejection('H21'));
      }
      if (!canQueue(state.queue.length, config.routerQueueMax)) return Promise.reject(new RoutingRejection('H11'));
      const enqueuedAt = now();
      if (admission.kind === 'wake' && deps.onWake && enqueuedAt - (wokenAt.get(appId) ?? -Infinity) >= WAKE_REPEAT_MS) {
        wokenAt.set(appId, enqueuedAt);
        deps.onWake(appId);
      }
      return new Promise<Acquired>((resolve, reject) => {
        const booting = admission.kind === 'wait-boot' || admission.kind === 'wake';
        const waiter: Waiter = {
          exclude,
          resolve: (slot) => resolve({ slot, queueMs: now() - enqueuedAt }),
          reject,
          timer: setTimeout(() => {
            remove();
            reject(new RoutingRejection(booting && !state.app.dynos.some(isRoutable) ? 'H20' : 'H12'));
          }, booting ? config.routerBootTimeoutMs : config.routerTimeoutMs),
        };
        const remove = () => {
          const i = state.queue.indexOf(waiter);
          if (i >= 0) state.queue.splice(i, 1);
        };
        opts.signal?.onAbort(() => {
          remove();
          settle(waiter, () => reject(new RoutingRejection('H27')));
        });
        state.queue.push(waiter);
      });
    },

    release(slot) {
      slot.outstanding = Math.max(0, slot.outstanding - 1);
      if (slot.retired) {
        if (slot.outstanding === 0) slot.pool.destroy();
        return;
      }
      const state = apps.get(slot.appId);
      if (state) drain(state);
    },

    quarantine(slot, ms) {
      slot.quarantinedUntil = now() + ms;
    },

    hasOther(appId, exclude) {
      const state = apps.get(appId);
      return state !== undefined && [...state.slots.keys()].some((k) => !exclude.has(k));
    },

    stats(appId) {
      const state = apps.get(appId);
      if (!state) return undefined;
      return {
        queued: state.queue.length,
        dynos: [...state.slots.values()].map((s) => ({ name: s.name, outstanding: s.outstanding, served: s.served })),
      };
    },

    close() {
      for (const state of apps.values()) {
        for (const slot of state.slots.values()) slot.pool.destroy(true);
        for (const w of state.queue.splice(0)) settle(w, () => w.reject(new RoutingRejection('H99')));
      }
      apps.clear();
      hosts = new Map();
    },
  };
}
