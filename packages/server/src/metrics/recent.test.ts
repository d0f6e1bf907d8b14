/** The autoscaler's readers over what the metrics service stored: router intervals and logged (l2met) values. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../log/index.js';
import { createMetrics } from './metrics.js';
import { createRecentLogReader } from './recent-log.js';
import { createRecentRouterReader } from './recent-router.js';
import { emptyRouterSummary } from './router-summary.js';
import { aMetricsStore } from './test-kit.js';
import { addValue, encodeSketch, newSketch } from './sketch.js';

test('logged values: the latest sample, the mean of measures, the sum of counts; null when none', async (t) => {
  const kit = await aMetricsStore(1);
  t.after(() => kit.cleanup());
  const [appId] = kit.appIds;
  const T0 = 1_800_000_000_000;
  const metrics = createMetrics({ store: kit.store, logger: silentLogger, now: () => T0 + 30_000 });
  const line = (dyno: string, message: string, at: number) => metrics.observeLogLine(appId, { source: 'app', dyno, message, time: new Date(at) });
  line('worker.1', 'sample#queue_depth=120 measure#job=100ms count#done=2', T0 + 1_000);
  line('worker.2', 'sample#queue_depth=80 measure#job=300ms count#done=3', T0 + 12_000);
  await metrics.flushDynos();
  const reader = createRecentLogReader({ store: kit.store });
  assert.equal(await reader.value(appId, 'queue_depth', T0, T0 + 30_000), 80, 'the latest sample');
  assert.equal(await reader.value(appId, 'custom:job', T0, T0 + 30_000), 200, 'the mean of measures');
  assert.equal(await reader.value(appId, 'done', T0, T0 + 30_000), 5, 'counts add up');
  assert.equal(await reader.value(appId, 'queue_depth', T0 + 20_000, T0 + 30_000), null, 'nothing in that window');
  assert.equal(await reader.value(appId, 'unknown', T0, T0 + 30_000), null);
});

test('router intervals: requests, p95 of total and queue time, mean service time; the open interval counts its elapsed part', async (t) => {
  const kit = await aMetricsStore(1);
  t.after(() => kit.cleanup());
  const [appId] = kit.appIds;
  const T0 = 1_800_000_000_000;
  const metrics = createMetrics({ store: kit.store, logger: silentLogger, now: () => T0 + 14_000 });
  const summary = (start: number, services: number[], queues: number[]) => {
    const s = emptyRouterSummary(appId, 'web', start, 10_000);
    const service = newSketch();
    const queue = newSketch();
    const total = newSketch();
    services.forEach((v, i) => { addValue(service, v); addValue(queue, queues[i]); addValue(total, v + queues[i]); });
    return { ...s, requests: services.length, statuses: { '2xx': services.length }, service: encodeSketch(service), queue: encodeSketch(queue), total: encodeSketch(total) };
  };
  await metrics.ingestRouter([summary(T0, Array(100).fill(50), Array(100).fill(0)), summary(T0 + 10_000, Array(20).fill(100), Array(20).fill(400))]);
  await metrics.idle();
  const reader = createRecentRouterReader({ store: kit.store, now: () => T0 + 14_000 });
  const got = await reader.intervals(appId, 'web', T0, T0 + 14_000);
  assert.deepEqual(got.map((i) => [i.startMs, i.windowMs, i.requests]), [[T0, 10_000, 100], [T0 + 10_000, 4_000, 20]]);
  assert.ok(Math.abs(got[0].meanServiceMs! - 50) < 0.01);
  assert.ok(Math.abs(got[1].totalP95Ms! - 500) / 500 < 0.01, `p95 of total ${got[1].totalP95Ms}`);
  assert.ok(Math.abs(got[1].queueP95Ms! - 400) / 400 < 0.01);
  assert.deepEqual(await reader.intervals(appId, 'worker', T0, T0 + 14_000), []);
});
