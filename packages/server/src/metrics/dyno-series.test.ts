import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../log/index.js';
import { LoadAverages } from './dyno-series.js';
import { createMetrics } from './metrics.js';
import { aMetricsStore } from './test-kit.js';

const MB = 1024 * 1024;
const T0 = 1_800_000_000_000;

test('load_avg_1m follows a busy dyno up like the kernel\'s damped average, and starts again for a new process', () => {
  const l = new LoadAverages();
  assert.equal(l.update('web.1', 0, 0), 0);
  let load = 0;
  // one CPU kept busy for 60 s, sampled every 5 s: 1 − e^(−1) ≈ 0.632
  for (let t = 5_000; t <= 60_000; t += 5_000) load = l.update('web.1', t, t * 1000);
  assert.ok(Math.abs(load - (1 - Math.exp(-1))) < 1e-9, String(load));
  // idle for a minute: decays by e^(−1)
  for (let t = 65_000; t <= 120_000; t += 5_000) load = l.update('web.1', t, 60_000_000);
  assert.ok(Math.abs(load - (1 - Math.exp(-1)) * Math.exp(-1)) < 1e-9, String(load));
  assert.equal(l.update('web.1', 125_000, 10), 0, 'the CPU counter went back: a new process');
});

test('dyno samples become memory and load series per process type, merged over dynos and tiers', async (t) => {
  const kit = await aMetricsStore(1);
  t.after(() => kit.cleanup());
  const [appId] = kit.appIds;
  const metrics = createMetrics({ store: kit.store, logger: silentLogger, now: () => T0 + 120_000 });
  const sample = (dyno: string, atMs: number, mem: number, cpuMicros: number, type = 'web') => metrics.recordDyno({
    appId, dyno, type, quotaBytes: 512 * MB, atMs, usage: { memoryBytes: mem * MB, cpuMicros, rssBytes: mem * MB, swapBytes: 0, cacheBytes: 10 * MB },
  });
  sample('web.1', T0, 100, 0);
  sample('web.2', T0, 300, 0);
  sample('web.1', T0 + 30_000, 200, 30_000_000); // busy: one CPU for 30 s
  sample('web.2', T0 + 30_000, 300, 0);
  sample('worker.1', T0, 50, 0, 'worker');
  await metrics.flushDynos();
  const [mem] = (await metrics.series(appId, 'memory', { startMs: T0, endMs: T0 + 60_000, stepS: 60 })).points;
  assert.deepEqual(mem, { time: new Date(T0).toISOString(), samples: 4, mean_mb: 225, max_mb: 300, rss_max_mb: 300, swap_max_mb: 0, cache_max_mb: 10, quota_mb: 512, quota_max_pct: 58.59 });
  const [load] = (await metrics.series(appId, 'load', { startMs: T0, endMs: T0 + 60_000, stepS: 60 })).points;
  assert.equal(load.max, Math.round((1 - Math.exp(-0.5)) * 100) / 100);
  const [worker] = (await metrics.series(appId, 'memory', { startMs: T0, endMs: T0 + 60_000, stepS: 60, processType: 'worker' })).points;
  assert.equal(worker.max_mb, 50);
  await kit.store.close();
});
