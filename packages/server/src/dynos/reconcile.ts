/**
 * The reconciler: a pure function from desired state (formation + current release) and observed
 * state (the app's formation dynos, with their crash and cycle bookkeeping) at a given instant to a
 * plan of starts, stops and replacements, plus when to look again. The dyno manager applies the plan
 * through a driver; nothing here does I/O or reads a clock.
 *
 * Heroku's rules (heroku-contract.md B2): scaling up starts `web.N+1…`, scaling down stops the
 * highest numbers first; a new release replaces every dyno (web dynos start first when preboot is
 * on); a size or command change replaces that type; a crashed dyno restarts at once the first time,
 * then after a cool-off (20, 40, 60, 180, 320 min, capped by config); every dyno is cycled after the
 * cycle period plus its own jitter.
 */

export type ObservedState = 'starting' | 'up' | 'crashed' | 'down';

export interface ObservedDyno {
  name: string;
  type: string;
  state: ObservedState;
  releaseVersion: number | null;
  size: string;
  command: string;
  /** A stop (or replacement) is already under way: leave it alone. */
  busy: boolean;
  /** When the current process started (cycling counts from here). */
  startedAt: Date | null;
  /** This dyno's random cycle offset, fixed at start. */
  cycleJitterMs: number;
  /** Consecutive crashes not yet forgiven (1 = first crash). */
  crashCount: number;
  /** When it last crashed or went down (crashed/down only). */
  endedAt: Date | null;
}

export interface DesiredType {
  type: string;
  quantity: number;
  size: string;
  command: string;
}

export interface ReconcileInput {
  now: Date;
  formation: DesiredType[];
  /** The app's current release; null = nothing to run. */
  release: { version: number } | null;
  preboot: boolean;
  dynos: ObservedDyno[];
  cyclePeriodMs: number;
  restartCooloffMaxMs: number;
}

export type Reason = 'scale' | 'release' | 'size' | 'command' | 'crash' | 'cycle';

export type Action =
  | { kind: 'start'; name: string; type: string; reason: Reason }
  | { kind: 'stop'; name: string; reason: Reason }
  /**
   * Stop the dyno and start it again from the desired spec. `start-first`: the new process is started
   * at once and the old one gets SIGTERM when the new one is up (preboot, web cycling); `stop-first`:
   * the old one is stopped first (never two `clock.1` at once).
   */
  | { kind: 'replace'; name: string; type: string; reason: Reason; order: 'start-first' | 'stop-first' };

export interface Plan {
  actions: Action[];
  /** The next instant something becomes due (a cool-off ends, a dyno must cycle); null = none. */
  wakeAt: Date | null;
}

const MIN = 60_000;
/** Heroku's cool-off after the 2nd, 3rd, 4th, 5th and later crashes (the first is restarted at once). */
export const COOLOFF_SCHEDULE_MS: readonly number[] = [0, 20 * MIN, 40 * MIN, 60 * MIN, 180 * MIN, 320 * MIN];
/** A crash loop never restarts faster than this, whatever the config says. */
export const MIN_COOLOFF_MS = 100;
/** A dyno that stayed up this long before exiting had "started successfully": its crash count resets. */
export const CRASH_FORGIVE_UPTIME_MS = 10 * MIN;

/** How long to wait before restarting a dyno after its `crashCount`-th consecutive crash. */
export function cooloffMs(crashCount: number, maxMs: number): number {
  if (crashCount <= 1) return 0;
  const step = COOLOFF_SCHEDULE_MS[Math.min(crashCount - 1, COOLOFF_SCHEDULE_MS.length - 1)];
  return Math.max(MIN_COOLOFF_MS, Math.min(step, maxMs));
}

/** The crash count after an exit, given the previous count and how long the process had been up. */
export function nextCrashCount(previous: number, upForMs: number | null): number {
  return upForMs !== null && upForMs >= CRASH_FORGIVE_UPTIME_MS ? 1 : previous + 1;
}

/** When a dyno started at `startedAt` must be cycled; null when cycling is off. */
export function cycleDueAt(startedAt: Date, periodMs: number, jitterMs: number): Date | null {
  if (periodMs <= 0) return null;
  return new Date(startedAt.getTime() + periodMs + jitterMs);
}

/** `web.3` → 3; NaN for names that are not `<type>.<n>`. */
export function dynoNumber(name: string): number {
  const m = /\.(\d+)$/.exec(name);
  return m ? Number(m[1]) : NaN;
}

export function reconcile(input: ReconcileInput): Plan {
  const { now, release } = input;
  const actions: Action[] = [];
  const wake: number[] = [];
  const desired = new Map(input.formation.map((f) => [f.type, f]));

  // Stops first (highest numbers first), so a scale-down frees capacity before anything starts.
  const stops = input.dynos
    .filter((d) => !d.busy)
    .filter((d) => {
      const f = desired.get(d.type);
      return release === null || !f || !(dynoNumber(d.name) >= 1 && dynoNumber(d.name) <= f.quantity);
    })
    .sort((a, b) => a.type.localeCompare(b.type) || dynoNumber(b.name) - dynoNumber(a.name));
  for (const d of stops) actions.push({ kind: 'stop', name: d.name, reason: 'scale' });
  if (release === null) return { actions, wakeAt: null };

  const byName = new Map(input.dynos.map((d) => [d.name, d]));
  for (const f of [...input.formation].sort((a, b) => a.type.localeCompare(b.type))) {
    for (let n = 1; n <= f.quantity; n++) {
      const name = `${f.type}.${n}`;
      const d = byName.get(name);
      if (!d) {
        actions.push({ kind: 'start', name, type: f.type, reason: 'scale' });
        continue;
      }
      if (d.busy) continue;
      const running = d.state === 'starting' || d.state === 'up';
      const replace = (reason: Reason, order: 'start-first' | 'stop-first') =>
        actions.push(running ? { kind: 'replace', name, type: f.type, reason, order } : { kind: 'start', name, type: f.type, reason });
      if (d.releaseVersion !== release.version) {
        replace('release', f.type === 'web' && input.preboot ? 'start-first' : 'stop-first');
      } else if (d.size !== f.size) {
        replace('size', 'stop-first');
      } else if (d.command !== f.command) {
        replace('command', 'stop-first');
      } else if (!running) {
        const due = (d.endedAt?.getTime() ?? now.getTime()) + cooloffMs(d.crashCount, input.restartCooloffMaxMs);
        if (due <= now.getTime()) actions.push({ kind: 'start', name, type: f.type, reason: 'crash' });
        else wake.push(due);
      } else if (d.startedAt) {
        const due = cycleDueAt(d.startedAt, input.cyclePeriodMs, d.cycleJitterMs);
        if (due && due.getTime() <= now.getTime()) replace('cycle', f.type === 'web' ? 'start-first' : 'stop-first');
        else if (due) wake.push(due.getTime());
      }
    }
  }
  return { actions, wakeAt: wake.length ? new Date(Math.min(...wake)) : null };
}
