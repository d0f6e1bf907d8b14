import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../log/index.js';
import { createMetrics } from './metrics.js';
import { aMetricsStore, seeded, summariesOf } from './test-kit.js';

const T0 = 1_800_000_000_000; // a multiple of 10 min

test('intervals merge into the 10 s, 1 min and 10 min tiers; percentiles over any window come from merged sketches', async (t) => {
  const kit = await aMetricsStore(1);
  t.after(() => kit.cleanup());
  const [appId] = kit.appIds;
  let clock = T0 + 5 * 60_000;
  const metrics = createMetrics({ store: kit.store, logger: silentLogger, now: () => clock });
  const rnd = seeded(5);
  const all: number[] = [];
  // 3 minutes of 10 s intervals; the third minute is slow
  for (let i = 0; i < 18; i++) {
    const values = Array.from({ length: 40 }, () => (i >= 12 ? 200 : 20) + rnd() * 30);
    all.push(...values);
    await metrics.ingestRouter(summariesOf(appId, T0 + i * 10_000 + 5_000, values.map((v, k) => ({ serviceMs: v, status: k === 0 ? 503 : 200, code: k === 0 ? 'H12' : undefined }))));
  }
  const exact = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))];
  const whole = await metrics.series(appId, 'response-time', { startMs: T0, endMs: T0 + 180_000, stepS: 180 });
  assert.equal(whole.points.length, 1);
  const p = whole.points[0] as unknown as { count: number; p50: number; p99: number };
  assert.equal(p.count, 720);
  for (const [q, got] of [[0.5, p.p50], [0.99, p.p99]] as const) assert.ok(Math.abs(got - exact(all, q)) / exact(all, q) <= 0.011, `p${q * 100}`);
  // the same window at 10 s (10 s tier), 1 min (1 min tier) and 10 min (10 min tier) steps
  const fine = await metrics.series(appId, 'throughput', { startMs: T0, endMs: T0 + 180_000, stepS: 10 });
  assert.equal(fine.stepS, 10);
  assert.deepEqual(fine.points.map((x) => x.requests), Array(18).fill(40));
  assert.deepEqual(fine.points[0], { time: new Date(T0).toISOString(), requests: 40, rpm: 240, '1xx': 0, '2xx': 39, '3xx': 0, '4xx': 0, '5xx': 1, bytes: 4000 });
  const minutes = await metrics.series(appId, 'response-time', { startMs: T0, endMs: T0 + 180_000, stepS: 60 });
  assert.deepEqual(minutes.points.map((x) => x.count), [240, 240, 240]);
  assert.ok((minutes.points[2].p50 as number) > 200 && (minutes.points[0].p50 as number) < 50);
  const tenMin = await metrics.series(appId, 'errors', { startMs: T0, endMs: T0 + 600_000, stepS: 600 });
  assert.deepEqual(tenMin.points, [{ time: new Date(T0).toISOString(), requests: 720, errors: 18, codes: { H12: 18 } }]);
  // a 10 min step over the last 3 minutes reads the 10 min tier: the same percentiles as the 10 s tier
  const coarse = await metrics.series(appId, 'response-time', { startMs: T0, endMs: T0 + 600_000, stepS: 600 });
  assert.equal(coarse.points[0].p99, p.p99);
  // empty buckets are there, with no percentiles
  const later = await metrics.series(appId, 'response-time', { startMs: T0 + 180_000, endMs: T0 + 240_000, stepS: 60 });
  assert.deepEqual(later.points, [{ time: new Date(T0 + 180_000).toISOString(), count: 0, p50: null, p95: null, p99: null, max: null, mean: null }]);

  const latest = await metrics.latest(appId, 'web', 60_000);
  assert.equal(latest.requests, 0, 'nothing in the last minute before the clock');
  clock = T0 + 180_000;
  const last = await metrics.latest(appId, 'web', 60_000);
  assert.equal(last.requests, 240);
  assert.ok(last.p95! > 200);
  assert.equal(last.errorRate, 6 / 240);

  await assert.rejects(metrics.series(appId, 'nope'), { code: 'not_found' });
  await assert.rejects(metrics.series(appId, 'throughput', { startMs: T0, endMs: T0 - 1 }), { code: 'invalid_params' });
  await assert.rejects(metrics.series(appId, 'throughput', { startMs: T0 - 30 * 86_400_000, endMs: T0, stepS: 10 }), { code: 'invalid_params' });
  await kit.store.close();
});

test('history survives reopening the store; retention prunes each tier after its window; live subscribers hear new intervals', async (t) => {
  const kit = await aMetricsStore(1);
  t.after(() => kit.cleanup());
  const [appId] = kit.appIds;
  let clock = T0;
  const metrics = createMetrics({ store: kit.store, logger: silentLogger, now: () => clock });
  const heard: unknown[] = [];
  const off = metrics.subscribe(appId, (u) => heard.push([u.kind, u.startMs, u.values('throughput')?.requests, u.values('nope')]));
  await metrics.ingestRouter(summariesOf(appId, T0 + 1_000, [{ serviceMs: 10 }, { serviceMs: 20 }]));
  off();
  await metrics.ingestRouter(summariesOf(appId, T0 + 11_000, [{ serviceMs: 10 }]));
  assert.deepEqual(heard, [['router', T0, 2, undefined]]);
  await metrics.stop();
  await kit.store.close();

  const store = await kit.reopen();
  const again = createMetrics({ store, logger: silentLogger, now: () => clock });
  const q = { startMs: T0, endMs: T0 + 60_000, stepS: 60 };
  assert.equal((await again.series(appId, 'throughput', q)).points[0].requests, 3);
  clock = T0 + 2 * 3_600_000; // 2 h later: the 10 s points are gone, the 1 min and 10 min ones stay
  await again.prune();
  assert.equal((await store.metrics.range({ appId, kind: 'router', stepS: 10, fromMs: 0, toMs: clock })).length, 0);
  assert.equal((await again.series(appId, 'throughput', q)).points[0].requests, 3);
  clock = T0 + 8 * 86_400_000;
  await again.prune();
  assert.equal((await store.metrics.range({ appId, kind: 'router', stepS: 600, fromMs: 0, toMs: clock })).length, 0);
  await store.close();
});
