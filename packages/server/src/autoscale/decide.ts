/**
 * The autoscaling decision: a pure function from a process type's policy, its current quantity, the
 * load the router measured over the last window and the type's scaling history to a new quantity (or
 * none) with the reason said in the scale line. The autoscaler applies it by writing the formation;
 * nothing here does I/O or reads a clock.
 *
 * Heroku's policy (heroku-contract.md A13, B4), kept as `herokuPolicy` for comparison: web only, on
 * p95 response time, one dyno added or removed per decision, decisions at least a minute apart.
 *
 * Slipway's policy (`decide`):
 * - **Up, fast.** As soon as the window's p95 response time or p95 queue time exceeds its target, the
 *   type is sized for the load it has: `needed = ceil(arrivals/s × mean service time / (per-dyno
 *   concurrency × UP_UTILIZATION))` (Little's law), at least one more than now, within [min, max].
 *   Steps are at least `UP_SETTLE_MS` apart; when the model says the dynos suffice, a further step
 *   waits until the whole window comes from after the last change and the p95 has stopped falling
 *   from one window to the next (the latency left is the backlog draining), then adds one.
 * - **Down, slow and hysteretic.** Only after `downWindowMs` without a change and with every sample
 *   in it healthy (p95 under `DOWN_HEADROOM` of target, queue time under its target), to what the load
 *   needs at the lower `DOWN_UTILIZATION` (so a formation sized at the up threshold is not shrunk back
 *   into it), by at most half of the dynos per step, never below min.
 * - **Workers** scale on a metric the app logs (l2met `sample#queue_depth=120`): `needed =
 *   ceil(value / target per dyno)`, up at once, down under the same slow rule.
 * - **Manual scaling** inside [min, max] counts as a change: the autoscaler leaves it alone for the
 *   down window unless the load then exceeds the target.
 * - **Scale to zero** (min 0 with an idle time): no request for `idleMs` → 0; the router wakes the type
 *   on the next request (the wake is not decided here).
 */

export interface AutoscalePolicy {
  min: number;
  max: number;
  /** Target p95 response time (router total time) in ms; null for metric-driven worker policies. */
  p95Ms: number | null;
  /** Optional target p95 queue time in ms. */
  queueMs: number | null;
  /** Worker policies: the l2met metric and the value one dyno handles. */
  metric: { name: string; perDyno: number } | null;
  /** With min 0: stop every dyno after this long without a request; null = never. */
  idleMs: number | null;
}

/** What the router measured for the type over one window. */
export interface LoadSample {
  /** Window length in ms. */
  windowMs: number;
  /** Requests that arrived in the window (served, failed, or still queued at its end). */
  arrivals: number;
  /** p95 of total response time (queue + service), ms; null without requests. */
  p95Ms: number | null;
  /** p95 of queue time, ms; null without requests. */
  queueP95Ms: number | null;
  /** Mean service time (the dyno's own time), ms; null without served requests. */
  meanServiceMs: number | null;
  /** When the window ended, ms since epoch (samples from the metrics have it). */
  endMs?: number;
}

export interface DecideInput {
  now: number;
  policy: AutoscalePolicy;
  quantity: number;
  /** Requests one dyno serves at once (the app's SLIPWAY_DYNO_CONCURRENCY, else 1). */
  concurrency: number;
  /** The latest window, or null when the metrics have nothing yet. */
  load: LoadSample | null;
  /** The window before it (to see whether a backlog is draining), or null. */
  previous?: LoadSample | null;
  /** The samples of the down window, oldest first (for the hysteresis); intervals without requests have none. */
  recent: LoadSample[];
  /** Worker policies: the metric's latest value (mean of the window), null when not reported. */
  metricValue: number | null;
  /** When the quantity last changed (by anyone), ms since epoch; null = never seen. */
  lastChangeAt: number | null;
  /** When the type last saw a request, ms since epoch; null = never. */
  lastRequestAt: number | null;
  downWindowMs: number;
}

export interface Decision {
  quantity: number;
  /** Said in the scale line: `by autoscaler (<reason>)`. */
  reason: string;
}

/** Busy fraction a scale-up sizes each dyno for. */
export const UP_UTILIZATION = 0.75;
/** Busy fraction under which dynos are removed (lower than UP_UTILIZATION: the hysteresis band). */
export const DOWN_UTILIZATION = 0.5;
/** A window counts as healthy for scaling down when its p95 is under this share of the target. */
export const DOWN_HEADROOM = 0.8;
/** A step up is judged only once this much of the window comes from after it. */
export const UP_SETTLE_MS = 5_000;
/** At most this share of the dynos goes in one step down. */
export const DOWN_STEP_SHARE = 0.5;
/** Heroku's spacing between two decisions. */
export const HEROKU_PERIOD_MS = 60_000;

const clamp = (n: number, p: AutoscalePolicy) => Math.max(p.min, Math.min(p.max, n));
const ms = (n: number) => `${Math.round(n)} ms`;

/** Dynos the measured load needs at a given busy fraction (Little's law). */
export function dynosNeeded(load: LoadSample, concurrency: number, utilization: number): number {
  if (load.meanServiceMs === null || load.windowMs <= 0 || load.arrivals === 0) return 0;
  const inFlight = (load.arrivals / (load.windowMs / 1000)) * (load.meanServiceMs / 1000);
  return Math.ceil(inFlight / (Math.max(1, concurrency) * utilization) - 1e-9);
}

/** Why the load is over target, or null when it is not. */
function overTarget(policy: AutoscalePolicy, load: LoadSample | null): string | null {
  if (!load) return null;
  if (policy.p95Ms !== null && load.p95Ms !== null && load.p95Ms > policy.p95Ms) return `p95 ${ms(load.p95Ms)} > ${ms(policy.p95Ms)}`;
  if (policy.queueMs !== null && load.queueP95Ms !== null && load.queueP95Ms > policy.queueMs) return `queue p95 ${ms(load.queueP95Ms)} > ${ms(policy.queueMs)}`;
  return null;
}

/** The p95 fell by at least a tenth since the previous window: a backlog is being worked off. */
function draining(previous: LoadSample | null, load: LoadSample): boolean {
  return previous !== null && previous.p95Ms !== null && load.p95Ms !== null && load.p95Ms < previous.p95Ms * 0.9;
}

function healthy(policy: AutoscalePolicy, s: LoadSample): boolean {
  if (policy.p95Ms !== null && s.p95Ms !== null && s.p95Ms > policy.p95Ms * DOWN_HEADROOM) return false;
  if (policy.queueMs !== null && s.queueP95Ms !== null && s.queueP95Ms > policy.queueMs) return false;
  return true;
}

function stepDown(current: number, target: number, policy: AutoscalePolicy): number {
  const floor = current - Math.max(1, Math.floor(current * DOWN_STEP_SHARE));
  return clamp(Math.max(target, floor), policy);
}

export function decide(input: DecideInput): Decision | null {
  const { policy, quantity, load, now } = input;
  const sinceChange = input.lastChangeAt === null ? Infinity : now - input.lastChangeAt;

  // Out of bounds (policy just changed): back inside at once.
  if (quantity < policy.min) return { quantity: policy.min, reason: `below min ${policy.min}` };
  if (quantity > policy.max) return { quantity: policy.max, reason: `above max ${policy.max}` };

  if (policy.metric) return decideOnMetric(input, sinceChange);

  // Scale to zero: idle long enough.
  if (policy.min === 0 && policy.idleMs !== null && quantity > 0) {
    const idleFor = input.lastRequestAt === null ? sinceChange : now - input.lastRequestAt;
    if (idleFor >= policy.idleMs && sinceChange >= policy.idleMs) return { quantity: 0, reason: `idle for ${Math.round(idleFor / 1000)} s` };
  }
  if (quantity === 0) return null; // woken by the router, not here

  const over = overTarget(policy, load);
  if (over && load) {
    if (sinceChange < UP_SETTLE_MS || quantity >= policy.max) return null;
    const needed = dynosNeeded(load, input.concurrency, UP_UTILIZATION);
    // The model says there is enough already: while the window still holds the time before the last
    // change, or the latency is falling from one window to the next, it is the backlog draining;
    // otherwise the model is short and one more dyno helps.
    if (needed <= quantity && (sinceChange < load.windowMs || draining(input.previous ?? null, load))) return null;
    const next = clamp(Math.max(quantity + 1, needed), policy);
    return next > quantity ? { quantity: next, reason: over } : null;
  }

  // Down: the router ships intervals that had requests, so a gap in `recent` is an interval with none.
  if (sinceChange < input.downWindowMs || quantity <= policy.min) return null;
  if (!input.recent.every((s) => healthy(policy, s))) return null;
  const busiest = Math.max(0, ...input.recent.map((s) => dynosNeeded(s, input.concurrency, DOWN_UTILIZATION)));
  const target = Math.max(1, busiest);
  if (target >= quantity) return null;
  const next = stepDown(quantity, target, policy);
  const p95 = load?.p95Ms ?? null;
  return next < quantity ? { quantity: next, reason: `load needs ${target}${p95 !== null && policy.p95Ms !== null ? `, p95 ${ms(p95)} < ${ms(policy.p95Ms)}` : ''}` } : null;
}

function decideOnMetric(input: DecideInput, sinceChange: number): Decision | null {
  const { policy, quantity } = input;
  const metric = policy.metric!;
  if (input.metricValue === null) return null;
  const needed = clamp(Math.ceil(input.metricValue / metric.perDyno - 1e-9), policy);
  const what = `${metric.name} ${input.metricValue} / ${metric.perDyno} per dyno`;
  if (needed > quantity) return sinceChange >= UP_SETTLE_MS ? { quantity: needed, reason: what } : null;
  if (needed < quantity && sinceChange >= input.downWindowMs) {
    const next = stepDown(quantity, needed, policy);
    return next < quantity ? { quantity: next, reason: what } : null;
  }
  return null;
}

/**
 * Heroku's policy, for comparison (the bench's policy switch): on p95 only, one dyno per decision,
 * decisions at least HEROKU_PERIOD_MS apart; down by one when p95 is under half the target.
 */
export function herokuPolicy(input: DecideInput): Decision | null {
  const { policy, quantity, load, now } = input;
  if (input.lastChangeAt !== null && now - input.lastChangeAt < HEROKU_PERIOD_MS) return null;
  if (!load || load.p95Ms === null || policy.p95Ms === null) return null;
  if (load.p95Ms >= policy.p95Ms && quantity < policy.max) return { quantity: quantity + 1, reason: `p95 ${ms(load.p95Ms)} > ${ms(policy.p95Ms)}` };
  if (load.p95Ms < policy.p95Ms / 2 && quantity > Math.max(1, policy.min)) return { quantity: quantity - 1, reason: `p95 ${ms(load.p95Ms)} < ${ms(policy.p95Ms / 2)}` };
  return null;
}
