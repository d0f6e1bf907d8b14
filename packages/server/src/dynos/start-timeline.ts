/**
 * Where a dyno start's time goes: marks from the change that asked for the dyno (a formation
 * PATCH, a wake, a release) to the dyno being `up`, one `dyno.start_timeline` line per start
 * (`requested_ms` the wait for the reconciler, the driver's own steps, `boot_ms` until $PORT
 * accepted, `up_ms` until the state was stored, `total_ms`). Cheap: a few `performance.now()`
 * calls and one log line per start, so it stays on in production and the figures of
 * docs/benchmarks.md can be checked on any running platform.
 */
import type { Fields } from '../log/index.js';

export interface StartTimeline {
  /** Milliseconds since the previous mark, under `<name>_ms`. */
  mark(name: string): void;
  /** Steps timed elsewhere (the driver's), in order, each a duration in ms; they move the clock on. */
  add(steps: Record<string, number>): void;
  fields(): Fields;
}

/** `origin`: a `performance.now()` reading of the request (default: now). */
export function startTimeline(origin = performance.now(), now: () => number = () => performance.now()): StartTimeline {
  const steps: Record<string, number> = {};
  let last = origin;
  let driverMs = 0;
  const put = (name: string, ms: number) => {
    const key = `${name}_ms`;
    steps[key] = Math.round((steps[key] ?? 0) + ms);
  };
  return {
    mark(name) {
      const t = now();
      put(name, t - last - driverMs);
      driverMs = 0;
      last = t;
    },
    add(more) {
      for (const [name, ms] of Object.entries(more)) {
        put(name, ms);
        driverMs += ms;
      }
    },
    fields: () => ({ ...steps, total_ms: Math.round(last - origin) }),
  };
}
