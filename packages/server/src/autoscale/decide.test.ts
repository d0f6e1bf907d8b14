import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, dynosNeeded, herokuPolicy, HEROKU_PERIOD_MS, UP_SETTLE_MS, type AutoscalePolicy, type DecideInput, type LoadSample } from './decide.js';

const NOW = 1_000_000_000;
const policy = (over: Partial<AutoscalePolicy> = {}): AutoscalePolicy => ({ min: 1, max: 10, p95Ms: 500, queueMs: null, metric: null, idleMs: null, ...over });
/** A 10 s window: `rps` requests a second, `serviceMs` each, and the given p95 and queue p95. */
const sample = (rps: number, serviceMs: number, p95Ms: number, queueP95Ms = 0): LoadSample => ({
  windowMs: 10_000, arrivals: rps * 10, p95Ms, queueP95Ms, meanServiceMs: serviceMs,
});
const healthyMinute = (rps: number, serviceMs: number) => Array.from({ length: 6 }, () => sample(rps, serviceMs, 100));
const input = (over: Partial<DecideInput> = {}): DecideInput => ({
  now: NOW, policy: policy(), quantity: 2, concurrency: 1, load: sample(20, 50, 120), recent: healthyMinute(20, 50), metricValue: null,
  lastChangeAt: NOW - 600_000, lastRequestAt: NOW - 100, downWindowMs: 60_000, ...over,
});

test("Little's law: arrivals/s × service time / (concurrency × utilization), rounded up", () => {
  assert.equal(dynosNeeded(sample(40, 50, 0), 1, 0.75), 3); // 2 in flight / 0.75 = 2.67
  assert.equal(dynosNeeded(sample(40, 50, 0), 2, 0.75), 2); // 1.33
  assert.equal(dynosNeeded(sample(30, 50, 0), 1, 0.75), 2); // exactly 2
  assert.equal(dynosNeeded({ ...sample(0, 50, 0), meanServiceMs: null }, 1, 0.75), 0);
});

const cases: [string, Partial<DecideInput>, { quantity: number; reason: RegExp } | null][] = [
  ['steady and healthy: nothing', {}, null],
  ['p95 over target: sized for the load in one step (4x step, 160 rps x 50 ms → 11 → max 10)',
    { load: sample(160, 50, 900, 700) }, { quantity: 10, reason: /^p95 900 ms > 500 ms$/ }],
  ['p95 over target: 80 rps x 50 ms needs 6', { load: sample(80, 50, 900) }, { quantity: 6, reason: /p95 900 ms > 500 ms/ }],
  ['over target but the model says enough: still one more once the window is past the change',
    { load: sample(10, 50, 900) }, { quantity: 3, reason: /p95/ }],
  ['over target, the model says enough, the window still holds the time before the change: wait',
    { load: sample(10, 50, 900), lastChangeAt: NOW - 8_000 }, null],
  ['over target, the model says enough, the p95 falling from the window before: the backlog drains, wait',
    { load: sample(10, 50, 900), previous: sample(10, 50, 2000) }, null],
  ['over target, the model says enough, the p95 not falling: one more', { load: sample(10, 50, 900), previous: sample(10, 50, 850) }, { quantity: 3, reason: /p95/ }],
  ['over target right after a change: wait UP_SETTLE_MS', { load: sample(160, 50, 900), lastChangeAt: NOW - UP_SETTLE_MS + 1 }, null],
  ['over target at max: nothing', { load: sample(160, 50, 900), quantity: 10 }, null],
  ['queue time over its target (p95 fine)', { policy: policy({ queueMs: 50 }), load: sample(80, 50, 400, 120) }, { quantity: 6, reason: /^queue p95 120 ms > 50 ms$/ }],
  ['below min after a policy change: back to min', { quantity: 0, policy: policy({ min: 2 }) }, { quantity: 2, reason: /below min 2/ }],
  ['above max after a policy change: back to max', { quantity: 12 }, { quantity: 10, reason: /above max 10/ }],
  ['scale down after a healthy down window: to what the load needs at 50 %, at most half per step',
    { quantity: 8, recent: healthyMinute(20, 50), load: sample(20, 50, 100) }, { quantity: 4, reason: /load needs 2, p95 100 ms < 500 ms/ }],
  ['scale down: 4 → 2 when the load needs 2', { quantity: 4, recent: healthyMinute(20, 50) }, { quantity: 2, reason: /load needs 2/ }],
  ['no scale down inside the down window after a change', { quantity: 8, recent: healthyMinute(20, 50), lastChangeAt: NOW - 30_000 }, null],
  ['intervals without requests count as no load: down to min (at most half per step)', { quantity: 8, recent: [], load: null }, { quantity: 4, reason: /load needs 1/ }],
  ['no scale down when one sample is above the headroom (hysteresis)',
    { quantity: 8, recent: [...healthyMinute(20, 50).slice(0, 5), sample(20, 50, 450)] }, null],
  ['no scale down when the load needs what runs (at 50 %, not 75 %)', { quantity: 3, recent: healthyMinute(30, 50) }, null],
  ['never below min', { quantity: 3, policy: policy({ min: 3 }), recent: healthyMinute(1, 50) }, null],
  ['scale to zero after the idle time', { policy: policy({ min: 0, idleMs: 300_000 }), quantity: 2, lastRequestAt: NOW - 300_000 }, { quantity: 0, reason: /idle for 300 s/ }],
  ['not idle long enough', { policy: policy({ min: 0, idleMs: 300_000 }), quantity: 2, lastRequestAt: NOW - 299_000 }, null],
  ['scaled to zero: the router wakes it, not the autoscaler', { policy: policy({ min: 0, idleMs: 300_000 }), quantity: 0, load: sample(10, 50, 900) }, null],
  ['worker on a logged metric: up at once to value / per dyno',
    { policy: policy({ p95Ms: null, metric: { name: 'queue_depth', perDyno: 50 } }), metricValue: 320, quantity: 1, lastChangeAt: NOW - 10_000 },
    { quantity: 7, reason: /^queue_depth 320 \/ 50 per dyno$/ }],
  ['worker metric: down only after the down window, at most half',
    { policy: policy({ p95Ms: null, metric: { name: 'queue_depth', perDyno: 50 } }), metricValue: 10, quantity: 8 },
    { quantity: 4, reason: /queue_depth 10/ }],
  ['worker metric: not reported, nothing', { policy: policy({ p95Ms: null, metric: { name: 'queue_depth', perDyno: 50 } }), metricValue: null }, null],
];

for (const [name, over, want] of cases) {
  test(`decide: ${name}`, () => {
    const got = decide(input(over));
    if (want === null) assert.equal(got, null);
    else {
      assert.ok(got, 'expected a decision');
      assert.equal(got.quantity, want.quantity);
      assert.match(got.reason, want.reason);
    }
  });
}

test("Heroku's policy: +1 per decision, a minute apart", () => {
  assert.deepEqual(herokuPolicy(input({ load: sample(160, 50, 900) }))?.quantity, 3);
  assert.equal(herokuPolicy(input({ load: sample(160, 50, 900), lastChangeAt: NOW - HEROKU_PERIOD_MS + 1 })), null);
  assert.equal(herokuPolicy(input({ load: sample(160, 50, 900), quantity: 10 })), null);
  assert.equal(herokuPolicy(input({ load: sample(10, 50, 200), quantity: 3 }))?.quantity, 2);
  assert.equal(herokuPolicy(input({ load: sample(10, 50, 300), quantity: 3 })), null);
});

test('a 4x step reaches its size in one decision with Slipway, in many minutes with Heroku', () => {
  // 2 dynos serve 20 rps of 50 ms; the load steps to 80 rps.
  let slipway = 2;
  let heroku = 2;
  let herokuChange = NOW - 600_000;
  let herokuReachedAt: number | null = null;
  for (let t = 0; t < 10 * 60_000; t += 5_000) {
    const load = sample(80, 50, slipway >= 6 ? 200 : 900);
    const s = decide(input({ now: NOW + t, quantity: slipway, load, lastChangeAt: NOW - 600_000 }));
    if (s && t === 0) slipway = s.quantity;
    const h = herokuPolicy(input({ now: NOW + t, quantity: heroku, load: sample(80, 50, heroku >= 6 ? 200 : 900), lastChangeAt: herokuChange }));
    if (h) { heroku = h.quantity; herokuChange = NOW + t; }
    if (t === 0) assert.equal(slipway, 6);
    if (heroku === 6 && herokuReachedAt === null) herokuReachedAt = t;
  }
  assert.equal(herokuReachedAt, 3 * HEROKU_PERIOD_MS, 'Heroku adds one a minute: 6 dynos three minutes after the first step');
});
