/** Contract cases: formation, dynos, domains, audit events, drains. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { NotFoundError } from '../errors.js';
import { aDyno, aRelease, anOwnedApp, type ContractContext } from './contract-fixtures.case.js';
import { DuplicateError } from './errors.js';

export function runtimeCases(ctx: ContractContext): void {
  describe('formation', () => {
    it('upserts (defaults for a new type, only given fields for an existing one), gets, lists, deletes', async () => {
      const s = ctx.store;
      const { app } = await anOwnedApp(s);
      const { app: other } = await anOwnedApp(s);
      const web = await s.formation.upsert(app.id, { type: 'web' });
      assert.deepEqual([web.type, web.quantity, web.size, web.command], ['web', 0, 'standard-1x', '']);
      const worker = await s.formation.upsert(app.id, { type: 'worker', quantity: 2, size: 'eco', command: 'node w.js' });
      assert.deepEqual([worker.quantity, worker.size, worker.command], [2, 'eco', 'node w.js']);
      const scaled = await s.formation.upsert(app.id, { type: 'web', quantity: 3 });
      assert.deepEqual([scaled.id, scaled.quantity, scaled.size, scaled.command], [web.id, 3, 'standard-1x', '']);
      assert.ok(scaled.updatedAt > web.updatedAt);
      assert.deepEqual(scaled.createdAt, web.createdAt);
      const resized = await s.formation.upsert(app.id, { type: 'web', size: 'standard-2x', command: 'npm start' });
      assert.deepEqual([resized.quantity, resized.size, resized.command], [3, 'standard-2x', 'npm start']);
      const zero = await s.formation.upsert(app.id, { type: 'web', quantity: 0 });
      assert.equal(zero.quantity, 0);
      await s.formation.upsert(other.id, { type: 'web', quantity: 1 });

      assert.deepEqual(await s.formation.get(app.id, 'worker'), worker);
      assert.equal(await s.formation.get(app.id, 'clock'), undefined);
      assert.deepEqual((await s.formation.list(app.id)).map((f) => f.type), ['web', 'worker']);
      assert.equal((await s.formation.listAll()).length, 3);
      await s.formation.delete(app.id, 'worker');
      assert.deepEqual((await s.formation.list(app.id)).map((f) => f.type), ['web']);
      assert.deepEqual((await s.formation.list(other.id)).map((f) => f.type), ['web']);
    });
  });

  describe('monitors', () => {
    const aMonitor = (appId: string, over: Record<string, unknown> = {}) => ({
      appId, processType: 'web', actionType: 'scale', name: 'LATENCY_SCALE', isActive: true, op: 'GREATER_OR_EQUAL', period: 1, value: 500,
      minQuantity: 1, maxQuantity: 4, notificationChannels: ['app'], notificationPeriod: 1440, queueTimeMs: null, metric: null, idleMs: null,
      strategy: 'slipway', ...over,
    });
    it('creates, lists by app and type, gets, updates only given fields, deletes, cascades with the app', async () => {
      const s = ctx.store;
      const { app } = await anOwnedApp(s);
      const { app: other } = await anOwnedApp(s);
      const web = await s.monitors.create(aMonitor(app.id));
      assert.deepEqual([web.processType, web.isActive, web.value, web.notificationChannels, web.queueTimeMs], ['web', true, 500, ['app'], null]);
      const worker = await s.monitors.create(aMonitor(app.id, { processType: 'worker', name: 'METRIC_SCALE', metric: 'queue_depth', value: 50, idleMs: 60_000 }));
      await s.monitors.create(aMonitor(other.id, { isActive: false }));
      assert.deepEqual((await s.monitors.list(app.id)).map((m) => m.id).sort(), [web.id, worker.id].sort());
      assert.deepEqual((await s.monitors.list(app.id, 'worker')).map((m) => [m.metric, m.idleMs]), [['queue_depth', 60_000]]);
      assert.equal(await s.monitors.get(other.id, web.id), undefined);
      const off = await s.monitors.update(web.id, { isActive: false, maxQuantity: 8, notificationChannels: [], queueTimeMs: 40 });
      assert.deepEqual([off.isActive, off.maxQuantity, off.minQuantity, off.value, off.notificationChannels, off.queueTimeMs], [false, 8, 1, 500, [], 40]);
      assert.ok(off.updatedAt >= web.updatedAt);
      assert.deepEqual((await s.monitors.listActiveScale()).map((m) => m.id), [worker.id]);
      await assert.rejects(s.monitors.update(randomUUID(), { isActive: true }), NotFoundError);
      await s.monitors.delete(worker.id);
      assert.deepEqual(await s.monitors.listActiveScale(), []);
      await s.apps.delete(app.id);
      assert.deepEqual(await s.monitors.list(app.id), []);
      assert.equal((await s.monitors.list(other.id)).length, 1);
    });
  });

  describe('dynos', () => {
    it('upserts by app and name, gets by id or name, lists in dyno order, deletes', async () => {
      const s = ctx.store;
      const { user, app } = await anOwnedApp(s);
      const { app: other } = await anOwnedApp(s);
      const rel = await aRelease(s, app, user);
      const w1 = await s.dynos.upsert(aDyno(app, { name: 'web.1', releaseId: rel.id, releaseVersion: 1, driverRef: { pid: 7, nested: { a: [1, 2] } } }));
      assert.deepEqual(
        [w1.type, w1.state, w1.releaseId, w1.releaseVersion, w1.host, w1.port, w1.attach, w1.restartCount, w1.exitCode],
        ['web', 'starting', rel.id, 1, '127.0.0.1', 40123, false, 0, null],
      );
      assert.deepEqual(w1.driverRef, { pid: 7, nested: { a: [1, 2] } });
      const w10 = await s.dynos.upsert(aDyno(app, { name: 'web.10' }));
      const w2 = await s.dynos.upsert(aDyno(app, { name: 'web.2', driverRef: null, host: null, port: null }));
      assert.deepEqual([w2.driverRef, w2.host, w2.port], [null, null, null]);
      const run = await s.dynos.upsert(aDyno(app, { name: 'run.4821', attach: true, command: 'bash' }));
      assert.equal(run.attach, true);
      await s.dynos.upsert(aDyno(other, { name: 'web.1' }));

      assert.deepEqual((await s.dynos.list(app.id)).map((d) => d.name), ['run.4821', 'web.1', 'web.2', 'web.10']);
      assert.equal((await s.dynos.listAll()).length, 5);
      assert.deepEqual(await s.dynos.get(app.id, 'web.10'), w10);
      assert.deepEqual(await s.dynos.get(app.id, w10.id), w10);
      assert.equal(await s.dynos.get(other.id, w10.id), undefined);
      assert.equal(await s.dynos.get(app.id, 'web.3'), undefined);

      const again = await s.dynos.upsert(aDyno(app, { name: 'web.1', restartCount: 1, port: 40124, exitCode: 0 }));
      assert.equal(again.id, w1.id);
      assert.deepEqual(again.createdAt, w1.createdAt);
      assert.deepEqual([again.restartCount, again.port, again.exitCode, again.releaseId], [1, 40124, 0, null]);

      await s.dynos.delete(w2.id);
      assert.deepEqual((await s.dynos.list(app.id)).map((d) => d.name), ['run.4821', 'web.1', 'web.10']);
      await assert.rejects(s.dynos.update(w2.id, { state: 'up' }), NotFoundError);
    });

    it('moves updatedAt only when the state changes', async () => {
      const s = ctx.store;
      const { app } = await anOwnedApp(s);
      const d0 = await s.dynos.upsert(aDyno(app));
      // Same state through upsert: since-time unchanged, other fields updated.
      const d1 = await s.dynos.upsert(aDyno(app, { port: 5001 }));
      assert.deepEqual(d1.updatedAt, d0.updatedAt);
      assert.equal(d1.port, 5001);
      // Changed state through upsert: since-time moves.
      const d2 = await s.dynos.upsert(aDyno(app, { state: 'up' }));
      assert.ok(d2.updatedAt > d1.updatedAt);
      // Patch without state, or with the same state: unchanged.
      const d3 = await s.dynos.update(d0.id, { restartCount: 4, host: '10.0.0.2', driverRef: { container: 'abc' } });
      assert.deepEqual(d3.updatedAt, d2.updatedAt);
      assert.deepEqual([d3.restartCount, d3.host, d3.driverRef, d3.state], [4, '10.0.0.2', { container: 'abc' }, 'up']);
      const d4 = await s.dynos.update(d0.id, { state: 'up', exitCode: null });
      assert.deepEqual(d4.updatedAt, d2.updatedAt);
      // Changed state through update: moves.
      const d5 = await s.dynos.update(d0.id, { state: 'crashed', exitCode: 1 });
      assert.ok(d5.updatedAt > d4.updatedAt);
      assert.deepEqual([d5.state, d5.exitCode], ['crashed', 1]);
      // An explicit updatedAt wins.
      const at = new Date('2032-02-02T02:02:02.002Z');
      assert.deepEqual((await s.dynos.update(d0.id, { updatedAt: at })).updatedAt, at);
      assert.deepEqual((await s.dynos.update(d0.id, {})).updatedAt, at);
      assert.deepEqual(await s.dynos.get(app.id, 'web.1'), { ...d5, updatedAt: at });
    });
  });

  describe('domains', () => {
    it('creates, lists, gets by id or hostname, finds across apps, deletes; hostnames are unique', async () => {
      const s = ctx.store;
      const { app } = await anOwnedApp(s);
      const { app: other } = await anOwnedApp(s);
      const def = await s.domains.create({ appId: app.id, hostname: `${app.name}.localhost`, kind: 'heroku', cname: null });
      const custom = await s.domains.create({ appId: app.id, hostname: 'www.Example.com', kind: 'custom', cname: `${app.name}.localhost` });
      const o = await s.domains.create({ appId: other.id, hostname: 'api.example.com', kind: 'custom', cname: null });
      assert.deepEqual([custom.kind, custom.cname, def.cname], ['custom', `${app.name}.localhost`, null]);
      assert.deepEqual(await s.domains.list(app.id), [def, custom]);
      assert.deepEqual(await s.domains.get(app.id, custom.id), custom);
      assert.deepEqual(await s.domains.get(app.id, 'WWW.example.COM'), custom);
      assert.equal(await s.domains.get(app.id, 'api.example.com'), undefined);
      assert.deepEqual(await s.domains.findByHostname('API.example.com'), o);
      assert.equal(await s.domains.findByHostname('nope.example.com'), undefined);
      assert.deepEqual((await s.domains.listAll()).map((d) => d.id).sort(), [def.id, custom.id, o.id].sort());
      await assert.rejects(s.domains.create({ appId: other.id, hostname: 'www.example.com', kind: 'custom', cname: null }), DuplicateError);
      await s.domains.delete(custom.id);
      assert.deepEqual(await s.domains.list(app.id), [def]);
    });
  });

  describe('audit events', () => {
    it('records and lists the latest events oldest first', async () => {
      const s = ctx.store;
      const { user, app } = await anOwnedApp(s);
      const { app: other } = await anOwnedApp(s);
      const at = new Date('2029-09-09T09:09:09.009Z');
      const first = await s.audit.record({ appId: app.id, userId: user.id, action: 'app.create', message: 'Created', data: { n: 1, nested: { ok: true } }, createdAt: at });
      assert.deepEqual([first.appId, first.userId, first.action, first.message, first.data, first.createdAt], [app.id, user.id, 'app.create', 'Created', { n: 1, nested: { ok: true } }, at]);
      for (let i = 2; i <= 5; i++) await s.audit.record({ appId: app.id, userId: null, action: 'config.update', message: `line ${i}`, data: {} });
      await s.audit.record({ appId: other.id, userId: user.id, action: 'app.create', message: 'other', data: {} });
      const global = await s.audit.record({ appId: null, userId: user.id, action: 'user.create', message: 'user added', data: {} });
      assert.equal(global.appId, null);
      assert.deepEqual((await s.audit.list(app.id)).map((e) => e.message), ['Created', 'line 2', 'line 3', 'line 4', 'line 5']);
      assert.deepEqual((await s.audit.list(app.id, 2)).map((e) => e.message), ['line 4', 'line 5']);
      assert.deepEqual((await s.audit.list(other.id)).map((e) => e.message), ['other']);
    });
  });

  describe('drains', () => {
    it('creates, lists, gets by id, url or token, deletes; one url per app', async () => {
      const s = ctx.store;
      const { app } = await anOwnedApp(s);
      const { app: other } = await anOwnedApp(s);
      const d1 = await s.drains.create({ appId: app.id, url: 'syslog+tls://logs.example.com:6514', token: 'd.1' });
      const d2 = await s.drains.create({ appId: app.id, url: 'https://user:pass@logs.example.com/drain', token: 'd.2' });
      const o = await s.drains.create({ appId: other.id, url: 'syslog+tls://logs.example.com:6514', token: 'd.3' });
      assert.deepEqual(await s.drains.list(app.id), [d1, d2]);
      assert.equal((await s.drains.listAll()).length, 3);
      assert.deepEqual(await s.drains.get(app.id, d2.id), d2);
      assert.deepEqual(await s.drains.get(app.id, 'https://user:pass@logs.example.com/drain'), d2);
      assert.deepEqual(await s.drains.get(app.id, 'd.1'), d1);
      assert.equal(await s.drains.get(app.id, o.id), undefined);
      assert.equal(await s.drains.get(app.id, randomUUID()), undefined);
      await assert.rejects(s.drains.create({ appId: app.id, url: d1.url, token: 'd.4' }), DuplicateError);
      await s.drains.delete(d1.id);
      assert.deepEqual(await s.drains.list(app.id), [d2]);
    });
  });
}
