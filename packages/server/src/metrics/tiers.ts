/**
 * The stored resolutions: 10 s points for the last hour, 1 min for 24 h, 10 min for 7 days.
 * Every interval the router ships is merged into all three tiers on ingest (so a coarse point is
 * the exact merge of its fine ones, percentiles included); retention deletes each tier's old points.
 * Pure: the choice of tier for a query and the bucket arithmetic.
 */
const HOUR = 3_600_000;

export interface Tier {
  stepS: number;
  retainMs: number;
}

export const TIERS: readonly Tier[] = [
  { stepS: 10, retainMs: HOUR },
  { stepS: 60, retainMs: 24 * HOUR },
  { stepS: 600, retainMs: 7 * 24 * HOUR },
];

/** How long events are kept (as long as the coarsest tier). */
export const EVENTS_RETAIN_MS = TIERS[TIERS.length - 1].retainMs;

/** Most points one query may return. */
export const MAX_POINTS = 2_000;

export const floorTo = (ms: number, stepMs: number): number => Math.floor(ms / stepMs) * stepMs;

/**
 * The tier a query over [startMs, endMs) with the wanted step reads, and the step it answers with
 * (a multiple of the tier's): the coarsest tier not coarser than the wanted step that still holds
 * `startMs` (fewest rows for the same answer); the first tier that holds `startMs`, or the coarsest
 * tier, when none does.
 */
export function planQuery(startMs: number, wantStepS: number, nowMs: number): { tier: Tier; stepS: number } {
  const want = Math.max(TIERS[0].stepS, wantStepS);
  const fits = TIERS.filter((t) => t.stepS <= want && startMs >= nowMs - t.retainMs);
  const tier = fits.length > 0 ? fits[fits.length - 1] : TIERS.find((t) => startMs >= nowMs - t.retainMs) ?? TIERS[TIERS.length - 1];
  const stepS = Math.max(tier.stepS, Math.ceil(want / tier.stepS) * tier.stepS);
  return { tier, stepS };
}
