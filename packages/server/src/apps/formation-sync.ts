/**
 * What a new slug does to the formation, decided purely: every process type in the slug is kept or
 * added (a new `web` gets 1 dyno, other new types 0; existing types keep quantity and size, their
 * command is updated); types no longer in the slug are removed.
 */
import { DEFAULT_DYNO_SIZE, findDynoSize } from '@slipway/contract';

export interface FormationSyncPlan {
  upserts: { type: string; command: string; quantity?: number; size?: string }[];
  removes: string[];
}

export function planFormationSync(
  existing: { type: string; quantity: number; size: string; command: string }[],
  processTypes: Record<string, string>,
): FormationSyncPlan {
  const have = new Map(existing.map((f) => [f.type, f]));
  const upserts: FormationSyncPlan['upserts'] = [];
  for (const [type, command] of Object.entries(processTypes).sort(([a], [b]) => a.localeCompare(b))) {
    const current = have.get(type);
    if (current) upserts.push({ type, command });
    else upserts.push({ type, command, quantity: type === 'web' ? 1 : 0, size: findDynoSize(DEFAULT_DYNO_SIZE)?.display ?? DEFAULT_DYNO_SIZE });
  }
  const removes = existing.map((f) => f.type).filter((t) => !(t in processTypes)).sort();
  return { upserts, removes };
}
