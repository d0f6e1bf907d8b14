/**
 * One coarse clock for the router's per-request windows (connect, first byte, idle): instead of a
 * setTimeout/clearTimeout pair per window per request (several per request, re-armed on every
 * chunk for the idle window), each exchange owns one `Deadline` whose `at` it moves, and a single
 * interval, running only while deadlines exist, fires the expired ones. A window may run late by
 * up to one tick (`resolutionMs`), never early.
 */

export interface Deadline {
  /** `performance.now()` ms at which `fire` runs; Infinity = not armed. */
  at: number;
  fire(): void;
}

export interface Deadlines {
  /** Starts watching `d` (until `remove`). */
  add(d: Deadline): void;
  remove(d: Deadline): void;
  readonly size: number;
  /** Stops the clock; pending deadlines never fire. */
  close(): void;
}

/** A tick fine enough for the shortest window (a tenth of it), between 5 ms and 250 ms. */
export function resolutionFor(windowsMs: readonly number[]): number {
  return Math.max(5, Math.min(250, Math.floor(Math.min(...windowsMs) / 10)));
}

export function createDeadlines(deps: { resolutionMs: number; now?: () => number }): Deadlines {
  const now = deps.now ?? (() => performance.now());
  const live = new Set<Deadline>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  // The clock keeps ticking through short lulls (re-creating the interval for every request of a
  // slow trickle would cost what it saves); it stops after about two seconds without deadlines.
  const idleTicksMax = Math.ceil(2000 / deps.resolutionMs);
  let idleTicks = 0;

  function tick(): void {
    if (live.size === 0) {
      if (++idleTicks >= idleTicksMax && timer) {
        clearInterval(timer);
        timer = undefined;
      }
      return;
    }
    idleTicks = 0;
    const t = now();
    for (const d of live) {
      if (d.at <= t) {
        live.delete(d);
        d.fire();
      }
    }
  }

  return {
    add(d) {
      if (closed) return;
      live.add(d);
      if (!timer) {
        idleTicks = 0;
        timer = setInterval(tick, deps.resolutionMs);
        // Never what keeps the process alive: the sockets of the exchanges it watches do that.
        timer.unref();
      }
    },
    remove(d) {
      live.delete(d);
    },
    get size() {
      return live.size;
    },
    close() {
      closed = true;
      live.clear();
      clearInterval(timer);
      timer = undefined;
    },
  };
}
