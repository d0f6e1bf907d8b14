import assert from 'node:assert/strict';
import { test } from 'node:test';
import logfmt from 'logfmt';
import { createMemoryLogSink } from '../../test/helpers/api-server.js';
import { silentLogger } from '../log/index.js';
import { createMetrics } from './metrics.js';
import { aMetricsStore } from './test-kit.js';

const MB = 1024 * 1024;

test('with log-runtime-metrics on, each dyno\'s samples go to the app\'s log in Heroku\'s format, every 20 s', async (t) => {
  const kit = await aMetricsStore(2);
  t.after(() => kit.cleanup());
  const [on, off] = kit.appIds;
  await kit.store.appFeatures.set(on, 'log-runtime-metrics', true);
  const logs = createMemoryLogSink();
  const metrics = createMetrics({ store: kit.store, logs, logger: silentLogger });
  await metrics.flushDynos(); // reads which apps have the feature
  const sample = (appId: string, atMs: number, cpuMicros: number) => metrics.recordDyno({
    appId, dyno: 'web.1', dynoId: 'd97d0ea7-cf3d-411b-b453-d2943a50b456', type: 'web', quotaBytes: 512 * MB, atMs,
    usage: { memoryBytes: 21 * MB, cpuMicros, rssBytes: 20 * MB, cacheBytes: 3 * MB, swapBytes: 1 * MB },
  });
  const t0 = 1_800_000_000_000;
  sample(on, t0, 0);
  sample(on, t0 + 5_000, 5_000_000); // within 20 s: no lines
  sample(on, t0 + 20_000, 20_000_000);
  sample(off, t0, 0);
  assert.equal(logs.lines(off).length, 0);
  const lines = logs.lines(on);
  assert.equal(lines.length, 4);
  assert.deepEqual([lines[0].source, lines[0].dyno], ['heroku', 'web.1']);
  const memory = logfmt.parse(lines[0].message);
  assert.deepEqual(memory, {
    source: 'web.1', dyno: `heroku.${on}.d97d0ea7-cf3d-411b-b453-d2943a50b456`,
    'sample#memory_total': '22.00MB', 'sample#memory_rss': '20.00MB', 'sample#memory_cache': '3.00MB', 'sample#memory_swap': '1.00MB', 'sample#memory_quota': '512.00MB',
  });
  const load = logfmt.parse(lines[3].message);
  assert.deepEqual(Object.keys(load), ['source', 'dyno', 'sample#load_avg_1m', 'sample#load_avg_5m', 'sample#load_avg_15m']);
  // one CPU busy for 20 s: the 1-minute average has risen to 1 − e^(−1/3)
  assert.equal(load['sample#load_avg_1m'], (1 - Math.exp(-1 / 3)).toFixed(2));
  assert.ok(Number(load['sample#load_avg_5m']) < Number(load['sample#load_avg_1m']));
  await metrics.stop();
  await kit.store.close();
});
