/** Contract cases: metrics points and events. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anOwnedApp, type ContractContext } from './contract-fixtures.case.js';
import { MissingReferenceError } from './errors.js';

export function metricsCases(ctx: ContractContext): void {
  describe('metrics', () => {
    it('puts (insert or replace), gets by key, lists a window per tier and process type, prunes by tier', async () => {
      const s = ctx.store;
      const { app } = await anOwnedApp(s);
      const key = { appId: app.id, kind: 'router', processType: 'web', stepS: 10 };
      const big = 1_764_000_000_000; // epoch ms past 2^32: a bigint column
      await s.metrics.putMany([
        { ...key, startMs: big, data: Buffer.from('{"a":1}') },
        { ...key, startMs: big + 10_000, data: Buffer.from('{"a":2}') },
        { ...key, processType: 'worker', startMs: big, data: Buffer.from('{"w":1}') },
        { ...key, stepS: 60, startMs: big, data: Buffer.from('{"m":1}') },
      ]);
      await s.metrics.putMany([{ ...key, startMs: big, data: Buffer.from('{"a":3}') }]);
      const got = await s.metrics.getMany([{ ...key, startMs: big }, { ...key, startMs: big + 20_000 }]);
      assert.deepEqual(got, [{ ...key, startMs: big, data: Buffer.from('{"a":3}') }]);
      const web = await s.metrics.range({ appId: app.id, kind: 'router', stepS: 10, fromMs: big, toMs: big + 20_000, processType: 'web' });
      assert.deepEqual(web.map((p) => [p.startMs, p.data.toString()]), [[big, '{"a":3}'], [big + 10_000, '{"a":2}']]);
      const all = await s.metrics.range({ appId: app.id, kind: 'router', stepS: 10, fromMs: big, toMs: big + 10_000 });
      assert.deepEqual(all.map((p) => p.processType), ['web', 'worker']);
      assert.deepEqual(await s.metrics.processTypes(app.id, 'router', 10, big), ['web', 'worker']);
      assert.equal(await s.metrics.prune(10, big + 10_000), 2);
      assert.equal((await s.metrics.range({ appId: app.id, kind: 'router', stepS: 60, fromMs: 0, toMs: big * 2 })).length, 1);
      await assert.rejects(s.metrics.putMany([{ ...key, appId: '00000000-0000-0000-0000-000000000000', startMs: big, data: Buffer.from('{}') }]), MissingReferenceError);
    });

    it('records events and lists an app\'s window in time order; they go with the app', async () => {
      const s = ctx.store;
      const { app } = await anOwnedApp(s);
      await s.metrics.recordEvent({ appId: app.id, atMs: 2_000, type: 'crash', message: 'web.1 crashed', data: { dyno: 'web.1' } });
      await s.metrics.recordEvent({ appId: app.id, atMs: 1_000, type: 'deploy', message: 'Deployed v2', data: {} });
      await s.metrics.recordEvent({ appId: app.id, atMs: 9_000, type: 'scale', message: 'Scaled', data: {} });
      const events = await s.metrics.events(app.id, 0, 5_000);
      assert.deepEqual(events.map((e) => [e.atMs, e.type, e.data]), [[1_000, 'deploy', {}], [2_000, 'crash', { dyno: 'web.1' }]]);
      assert.equal(await s.metrics.pruneEvents(1_500), 1);
      await s.apps.delete(app.id);
      assert.deepEqual(await s.metrics.events(app.id, 0, 10_000), []);
    });

    it('keeps app features: unset, enabled, disabled; lists the apps that have one on', async () => {
      const s = ctx.store;
      const { app } = await anOwnedApp(s);
      const { app: other } = await anOwnedApp(s);
      assert.equal(await s.appFeatures.get(app.id, 'log-runtime-metrics'), undefined);
      await s.appFeatures.set(app.id, 'log-runtime-metrics', true);
      await s.appFeatures.set(other.id, 'log-runtime-metrics', true);
      await s.appFeatures.set(other.id, 'log-runtime-metrics', false);
      assert.equal(await s.appFeatures.get(app.id, 'log-runtime-metrics'), true);
      assert.equal(await s.appFeatures.get(other.id, 'log-runtime-metrics'), false);
      assert.deepEqual(await s.appFeatures.appsWith('log-runtime-metrics'), [app.id]);
    });
  });
}
