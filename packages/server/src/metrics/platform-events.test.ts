import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEventBus } from '../events/index.js';
import { silentLogger } from '../log/index.js';
import { aDyno } from '../store/contract-fixtures.case.js';
import { createMetrics } from './metrics.js';
import { recordPlatformEvents, releaseEventType } from './platform-events.js';
import { aMetricsStore } from './test-kit.js';

test('release descriptions name the event', () => {
  assert.deepEqual(['Deploy 1a2b3c4', 'Rollback to v2', 'Set FOO config vars', 'Remove FOO config vars', 'Initial release'].map(releaseEventType),
    ['deploy', 'rollback', 'config', 'config', 'release']);
});

test('deploys, scale, restarts, crashes (once per crash) and R14 (once per 10 min) are stored as the app\'s events', async (t) => {
  const kit = await aMetricsStore(1);
  t.after(() => kit.cleanup());
  const { store } = kit;
  const [appId] = kit.appIds;
  const app = (await store.apps.get(appId))!;
  const events = createEventBus();
  const metrics = createMetrics({ store, logger: silentLogger });
  const recorder = recordPlatformEvents({ events, store, metrics, logger: silentLogger });
  const user = (await store.users.list())[0];
  const release = await store.releases.create({ appId, slugId: null, config: {}, description: 'Deploy 1a2b3c4', status: 'succeeded', userId: user.id });
  events.emit('release.created', { appId, releaseId: release.id, version: release.version });
  await store.formation.upsert(appId, { type: 'web', quantity: 2 });
  events.emit('formation.changed', { appId, types: ['web'] });
  events.emit('dynos.restart', { appId, dynoName: 'web.1' });
  const dyno = await store.dynos.upsert(aDyno(app, { name: 'web.2', state: 'crashed', exitCode: 1 }));
  events.emit('dyno.changed', { appId, dynoName: 'web.2' });
  await new Promise((r) => setTimeout(r, 50));
  events.emit('dyno.changed', { appId, dynoName: 'web.2' }); // still crashed: the same crash
  const at = Date.now();
  const over = { appId, dyno: 'web.1', type: 'web', quotaBytes: 512 * 1024 * 1024, usage: { memoryBytes: 600 * 1024 * 1024, cpuMicros: 0 }, verdict: 'R14' as const };
  metrics.recordDyno({ ...over, atMs: at });
  metrics.recordDyno({ ...over, atMs: at + 5_000 });
  await recorder.stop();
  await metrics.stop();
  const stored = await metrics.events(appId, 0, Date.now() + 60_000);
  assert.deepEqual(stored.map((e) => [e.type, e.message]).sort(), [
    ['deploy', `Release v${release.version}: Deploy 1a2b3c4`],
    ['scale', 'Scaled to web@2:standard-1x'],
    ['restart', 'Restarted web.1'],
    ['crash', 'web.2 crashed'],
    ['R14', 'web.1 Error R14 (Memory quota exceeded): 600 MB'],
  ].sort());
  assert.equal(stored.find((e) => e.type === 'crash')?.data.exit_code, 1);
  assert.ok(dyno);
  await store.close();
});
