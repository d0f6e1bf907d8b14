import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { cycleDynoAndWait } from './cycle-wait.js';
import { makeKit, type Kit } from './manager.fixture.js';

describe('cycleDynoAndWait (a node drain moves a dyno)', () => {
  let kit: Kit;
  afterEach(() => kit?.close());

  it('restarts the dyno through the manager and resolves only when the new one is up', async () => {
    kit = await makeKit();
    const m = kit.manager();
    await m.start();
    await kit.release();
    await kit.scale('web', 2);
    const up = async (n: string) => (await kit.store.dynos.get(kit.app.id, n))?.state === 'up';
    await kit.waitFor('both up', async () => (await up('web.1')) && (await up('web.2')));
    const old1 = await kit.store.dynos.get(kit.app.id, 'web.1');
    const old2 = await kit.store.dynos.get(kit.app.id, 'web.2');
    await cycleDynoAndWait({ manager: m, store: kit.store, timeoutMs: 20_000 }, kit.app.id, 'web.1');
    const now1 = await kit.store.dynos.get(kit.app.id, 'web.1');
    assert.equal(now1?.state, 'up');
    assert.notDeepEqual(now1?.driverRef, old1?.driverRef);
    // Only the one asked for: web.2 kept running.
    assert.deepEqual((await kit.store.dynos.get(kit.app.id, 'web.2'))?.driverRef, old2?.driverRef);
  });

  it('an unknown dyno is a not_found error; a replacement that never comes up times out', async () => {
    kit = await makeKit();
    const m = kit.manager();
    await m.start();
    await assert.rejects(cycleDynoAndWait({ manager: m, store: kit.store }, kit.app.id, 'web.9'), (e: Error & { code?: string }) => e.code === 'not_found');
    await kit.release();
    await kit.scale('web', 1);
    await kit.waitFor('up', async () => (await kit.store.dynos.get(kit.app.id, 'web.1'))?.state === 'up');
    const noRestart = { restart: async () => {} };
    await assert.rejects(cycleDynoAndWait({ manager: noRestart, store: kit.store, timeoutMs: 500, pollMs: 50 }, kit.app.id, 'web.1'), /not up again within/);
  });
});
