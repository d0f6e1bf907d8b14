/**
 * Moving one dyno (a node drain): restart it through the dyno manager, the one owner of dyno
 * lifecycle, and resolve when its replacement is up — a new start (its driver handle changed) in
 * state `up` — so the caller can move the next one only then (one at a time: the app keeps serving).
 */
import { SlipwayError } from '../errors.js';
import type { Store } from '../store/types.js';
import type { DynoManager } from './manager.js';

export interface CycleWaitDeps {
  manager: Pick<DynoManager, 'restart'>;
  store: Pick<Store, 'dynos'>;
  /** How long the replacement may take to be up (default: boot timeout 60 s + grace 30 s). */
  timeoutMs?: number;
  pollMs?: number;
}

export async function cycleDynoAndWait(deps: CycleWaitDeps, appId: string, dyno: string): Promise<void> {
  const timeoutMs = deps.timeoutMs ?? 90_000;
  const pollMs = deps.pollMs ?? 250;
  const before = await deps.store.dynos.get(appId, dyno);
  if (!before) throw new SlipwayError('not_found', `No dyno ${dyno} to move.`, { resource: 'dyno' });
  const oldRef = JSON.stringify(before.driverRef);
  await deps.manager.restart(appId, { dynoName: dyno });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await deps.store.dynos.get(appId, dyno);
    if (now && now.state === 'up' && JSON.stringify(now.driverRef) !== oldRef) return;
    if (Date.now() > deadline) throw new SlipwayError('unavailable', `${dyno} was not up again within ${Math.round(timeoutMs / 1000)} s.`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
