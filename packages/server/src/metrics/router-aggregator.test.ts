import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRouterAggregator, URGENT_GAP_MS, URGENT_QUEUE_MS } from './router-aggregator.js';
import type { RouterSummary } from './router-summary.js';
import { quantile } from './sketch.js';

function withClock(start: number) {
  let t = start;
  return { now: () => t, set: (v: number) => (t = v) };
}

test('one summary per app per interval, with exact counts and the requests in flight', () => {
  const clock = withClock(1_000_000);
  const out: RouterSummary[] = [];
  const agg = createRouterAggregator({ onSummary: (s) => out.push(s), now: clock.now, intervalMs: 10_000 });
  const ok = { status: 200, code: null, queueMs: 0, connectMs: 1, serviceMs: 20, bytes: 10 };
  for (let i = 0; i < 3; i++) agg.enter('a');
  agg.enter('b');
  agg.record('a', ok);
  agg.record('a', { ...ok, status: 503, code: 'H12', serviceMs: 30_000, bytes: 0 });
  agg.record('b', { ...ok, status: 404, queueMs: 5 });
  assert.equal(out.length, 0);
  clock.set(1_010_000);
  agg.rotate();
  assert.equal(out.length, 2);
  const a = out.find((s) => s.appId === 'a')!;
  assert.deepEqual({ start: a.start, stepMs: a.stepMs, requests: a.requests, statuses: a.statuses, codes: a.codes, bytes: a.bytes, max: a.maxConcurrency, pt: a.processType },
    { start: 1_000_000, stepMs: 10_000, requests: 2, statuses: { '2xx': 1, '5xx': 1 }, codes: { H12: 1 }, bytes: 10, max: 3, pt: 'web' });
  assert.equal(quantile(a.service, 1), 30_000);
  assert.equal(quantile(a.total, 0), 21);
  const b = out.find((s) => s.appId === 'b')!;
  assert.deepEqual(b.statuses, { '4xx': 1 });
  assert.equal(quantile(b.queue, 1), 5);
  // the third request of `a` is still in flight: the next interval starts with concurrency 1
  agg.record('a', ok);
  clock.set(1_020_000);
  agg.rotate();
  assert.equal(out.length, 3);
  assert.equal(out[2].maxConcurrency, 1);
  assert.equal(out[2].start, 1_010_000);
  // an idle interval ships nothing
  clock.set(1_030_000);
  agg.rotate();
  assert.equal(out.length, 3);
});

test('a request recorded after the boundary ends the previous interval first; stop flushes', () => {
  const clock = withClock(50_000);
  const out: RouterSummary[] = [];
  const agg = createRouterAggregator({ onSummary: (s) => out.push(s), now: clock.now });
  const ok = { status: 204, code: null, queueMs: 0, connectMs: 0, serviceMs: 1, bytes: 0 };
  agg.enter('a');
  agg.record('a', ok);
  clock.set(61_000);
  agg.enter('a');
  agg.record('a', ok);
  assert.deepEqual(out.map((s) => [s.start, s.requests]), [[50_000, 1]]);
  agg.stop();
  assert.deepEqual(out.map((s) => [s.start, s.requests]), [[50_000, 1], [60_000, 1]]);
});

test('queued requests ship their app\'s numbers at once (at most every URGENT_GAP_MS); the parts add up to the interval', () => {
  const clock = withClock(2_000_000);
  const out: RouterSummary[] = [];
  const agg = createRouterAggregator({ onSummary: (s) => out.push(s), now: clock.now, intervalMs: 10_000 });
  const req = (queueMs: number) => { agg.enter('busy'); agg.record('busy', { status: 200, code: null, queueMs, connectMs: 1, serviceMs: 50, bytes: 1 }); };
  clock.set(2_001_000);
  req(0);
  req(URGENT_QUEUE_MS - 1);
  assert.equal(out.length, 0, 'no queue to speak of: nothing until the interval ends');
  clock.set(2_002_500);
  req(400);
  assert.equal(out.length, 1, 'a request that waited ships at once');
  assert.deepEqual([out[0].start, out[0].requests], [2_000_000, 3]);
  clock.set(2_003_000);
  req(600);
  assert.equal(out.length, 1, 'not again within URGENT_GAP_MS');
  clock.set(2_002_500 + URGENT_GAP_MS);
  req(800);
  assert.equal(out.length, 2);
  assert.equal(out[1].requests, 2);
  assert.equal(quantile(out[1].queue, 1), 800);
  req(0);
  clock.set(2_010_000);
  agg.rotate();
  assert.equal(out.length, 3, 'the rest at the interval end');
  assert.deepEqual(out.map((s) => s.start), [2_000_000, 2_000_000, 2_000_000]);
  assert.equal(out.reduce((n, s) => n + s.requests, 0), 6);
});
