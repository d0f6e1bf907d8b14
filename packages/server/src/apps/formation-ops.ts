/**
 * Formation: list, one, and scaling (batch or one type) applied in one transaction.
 */
import { InvalidParamsError, NotFoundError } from '../errors.js';
import type { AppRecord, FormationRecord, UserRecord } from '../store/types.js';
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

  /** Applies scale updates; returns the formation records that were updated, in request order. */
  async function scale(user: UserRecord, app: AppRecord, updates: ScaleUpdate[]): Promise<FormationRecord[]> {
    let lines: Announcement[] = [];
    const result = await store.transaction(async (tx) => {
      const current = await tx.formation.list(app.id);
      const plan = planScale(current, updates);
      if (!plan.ok) {
        if (plan.reason === 'unknown_type') throw new NotFoundError('formation', plan.message);
        throw new InvalidParamsError(plan.message, plan.field);
      }
      const out: FormationRecord[] = [];
      for (const c of plan.changes) out.push(await tx.formation.upsert(app.id, { type: c.type, quantity: c.quantity, size: c.size }));
      lines = [await ctx.announce(tx, app, user, 'formation.scale', scaleLine(plan.changes), { changes: plan.changes })];
      return out;
    });
    ctx.publish(lines);
    events.emit('formation.changed', { appId: app.id, types: result.map((f) => f.type) });
    return result;
  }

  return { listFormation, getFormation, scale };
}
