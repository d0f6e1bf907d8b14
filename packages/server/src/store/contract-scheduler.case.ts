/** Contract cases: the scheduler add-on's jobs. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anOwnedApp, type ContractContext } from './contract-fixtures.case.js';

export function schedulerCases(ctx: ContractContext): void {
  describe('scheduler jobs', () => {
    it('numbers jobs per app from 1, lists due ones, claims a slot once, and deletes them with the app', async () => {
      const s = ctx.store;
      const { app, user } = await anOwnedApp(s);
      const other = await s.apps.create({ name: 'sched-other', ownerId: user.id, region: 'us', stack: 'heroku-24', maintenance: false, preboot: false, releasedAt: null });
      const slot = new Date('2026-12-07T17:10:00.000Z');
      const a = await s.schedulerJobs.create({ appId: app.id, command: 'echo a', schedule: 'every 10 minutes', size: 'standard-1x', nextRunAt: slot });
      const b = await s.schedulerJobs.create({ appId: app.id, command: 'echo b', schedule: 'every day at 04:30', size: 'standard-2x', nextRunAt: new Date('2026-12-08T04:30:00.000Z') });
      const c = await s.schedulerJobs.create({ appId: other.id, command: 'echo c', schedule: 'every 10 minutes', size: 'standard-1x', nextRunAt: slot });
      assert.deepEqual([a.number, b.number, c.number], [1, 2, 1]);
      assert.equal(a.lastRunAt, null);
      assert.deepEqual((await s.schedulerJobs.due(new Date('2026-12-07T17:09:59Z'))).length, 0);
      assert.deepEqual((await s.schedulerJobs.due(slot)).map((j) => j.command).sort(), ['echo a', 'echo c']);
      const next = new Date('2026-12-07T17:20:00.000Z');
      const claimed = await s.schedulerJobs.claim(a.id, a.nextRunAt, next);
      assert.equal(claimed?.nextRunAt.toISOString(), next.toISOString());
      assert.equal(claimed?.lastRunAt?.toISOString(), slot.toISOString());
      assert.equal(await s.schedulerJobs.claim(a.id, a.nextRunAt, next), undefined, 'a slot is claimed once');
      await s.schedulerJobs.delete(app.id, a.id);
      await assert.rejects(s.schedulerJobs.delete(other.id, b.id), /Couldn't find/);
      const again = await s.schedulerJobs.create({ appId: app.id, command: 'echo d', schedule: 'every 10 minutes', size: 'standard-1x', nextRunAt: slot });
      assert.equal(again.number, 1);
      assert.deepEqual((await s.schedulerJobs.list(app.id)).map((j) => j.number), [1, 2]);
      await s.apps.delete(app.id);
      assert.deepEqual(await s.schedulerJobs.list(app.id), []);
      assert.equal((await s.schedulerJobs.list(other.id)).length, 1);
    });
  });
}
