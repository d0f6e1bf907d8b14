/**
 * Formation: list, one, and scaling (batch or one type) applied in one transaction.
 */
import { InvalidParamsError, NotFoundError } from '../errors.js';
import type { AppRecord, FormationRecord, Repos, UserRecord } from '../store/types.js';
import type { Announcement, ServiceContext } from './context.js';
import { planScale, scaleLine, type ScaleUpdate } from './scale.js';

export function formationOps(ctx: ServiceContext) {
  const { store, events } = ctx;

  async function listFormation(app: AppRecord): Promise<FormationRecord[]> {
    return store.formation.list(app.id);
  }

  async function getFormation(app: AppRecord, type: string): Promise<FormationRecord> {
    const f = await store.formation.get(app.id, type);
    if (!f) throw new NotFoundError('formation');
    return f;
  }

  /**
   * Applies scale updates; returns the formation records that were updated, in request order. A user
   * scales within the bounds of an active autoscaling monitor; the autoscaler (`by`, no user) says
   * why in the line: `Scaled to web@4:Standard-1X by autoscaler (p95 812 ms > 500 ms)`.
   */
  async function scale(user: UserRecord | undefined, app: AppRecord, updates: ScaleUpdate[], opts: { by?: string } = {}): Promise<FormationRecord[]> {
    let lines: Announcement[] = [];
    const result = await store.transaction(async (tx) => {
      const current = await tx.formation.list(app.id);
      const plan = planScale(current, updates);
      if (!plan.ok) {
        if (plan.reason === 'unknown_type') throw new NotFoundError('formation', plan.message);
        throw new InvalidParamsError(plan.message, plan.field);
      }
      if (user) await checkAutoscaleBounds(tx, app, current, plan.changes);
      const out: FormationRecord[] = [];
      for (const c of plan.changes) out.push(await tx.formation.upsert(app.id, { type: c.type, quantity: c.quantity, size: c.size }));
      const text = scaleLine(plan.changes) + (opts.by ? ` by ${opts.by}` : '');
      lines = [await ctx.announce(tx, app, user, 'formation.scale', text, { changes: plan.changes, by: opts.by ?? null })];
      return out;
    });
    ctx.publish(lines);
    events.emit('formation.changed', { appId: app.id, types: result.map((f) => f.type) });
    return result;
  }

  /** A manual quantity change outside an active scale monitor's [min, max] is refused, naming the bounds. */
  async function checkAutoscaleBounds(tx: Repos, app: AppRecord, current: FormationRecord[], changes: { type: string; quantity: number }[]): Promise<void> {
    for (const c of changes) {
      if (current.find((f) => f.type === c.type)?.quantity === c.quantity) continue;
      const monitor = (await tx.monitors.list(app.id, c.type)).find((m) => m.actionType === 'scale' && m.isActive);
      if (monitor && (c.quantity < monitor.minQuantity || c.quantity > monitor.maxQuantity)) {
        throw new InvalidParamsError(
          `Autoscaling is on for ${c.type} (min ${monitor.minQuantity}, max ${monitor.maxQuantity}): scale within those bounds, or disable it first (heroku ps:autoscale:disable).`,
          'quantity',
        );
      }
    }
  }

  return { listFormation, getFormation, scale };
}
