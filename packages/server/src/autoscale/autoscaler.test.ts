/**
 * The autoscaler loop over the real SQLite store and the real app service (formation writes, audit,
 * scale lines), with signals from a list of router samples the test controls and an injected clock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAppService } from '../apps/index.js';
import { testConfig } from '../config.js';
import { createEventBus } from '../events/index.js';
import { silentLogger } from '../log/index.js';
import { createStore } from '../store/index.js';
import { createMemoryLogSink } from '../../test/helpers/api-server.js';
import { combine, concurrencyOf, createAutoscaler, type AutoscaleSignals } from './autoscaler.js';
import { createMonitorService } from './monitors.js';
import type { LoadSample } from './decide.js';

async function setup(t: import('node:test').TestContext, monitor: Record<string, unknown>, opts: { quantity?: number; vars?: Record<string, string> } = {}) {
  let clock = Date.parse('2026-12-07T12:00:00Z');
  const store = await createStore({ databaseUrl: 'sqlite::memory:', dataDir: '/nonexistent-unused', logger: silentLogger, now: () => new Date(clock) });
  t.after(() => store.close());
  const logs = createMemoryLogSink();
  const apps = createAppService({ store, events: createEventBus(), logs, config: testConfig({ dataDir: '/nonexistent-unused' }), now: () => new Date(clock) });
  const user = await store.users.create({ email: 'owner@example.com', admin: false });
  const app = await store.apps.create({ name: 'shop', ownerId: user.id, region: 'us', stack: 'heroku-24', maintenance: false, preboot: false, releasedAt: null });
  await store.formation.upsert(app.id, { type: 'web', quantity: opts.quantity ?? 2, size: 'performance-m', command: 'npm start' });
  await store.formation.upsert(app.id, { type: 'worker', quantity: 1, command: 'node w.js' });
  if (opts.vars) await store.configVars.patch(app.id, opts.vars);
  await createMonitorService({ store, logs }).create(user, app, String(monitor.type ?? 'web'), { min_quantity: 1, max_quantity: 10, value: 500, ...monitor, type: undefined } as never);
  const samples: (LoadSample & { endMs: number })[] = [];
  const metric: { value: number | null } = { value: null };
  const signals: AutoscaleSignals = {
    loadSamples: async (_appId, _type, fromMs, toMs) => samples.filter((s) => s.endMs > fromMs && s.endMs <= toMs),
    metricValue: async () => metric.value,
  };
  const autoscaler = createAutoscaler({
    store, signals, logger: silentLogger, now: () => clock, downWindowMs: 60_000,
    scale: async (a, type, quantity, by) => { await apps.scale(undefined, a, [{ type, quantity }], { by }); },
  });
  const quantity = async (type = 'web') => (await store.formation.get(app.id, type))!.quantity;
  /** Advances the clock by 10 s, adding a sample of that interval (`rps` requests a second of `serviceMs`, with `p95Ms`). */
  const interval = (rps: number, serviceMs: number, p95Ms: number, queueP95Ms = 0) => {
    clock += 10_000;
    samples.push({ windowMs: 10_000, arrivals: rps * 10, p95Ms: rps ? p95Ms : null, queueP95Ms: rps ? queueP95Ms : null, meanServiceMs: rps ? serviceMs : null, endMs: clock });
  };
  const advance = (ms: number) => { clock += ms; };
  return { store, logs, app, autoscaler, quantity, interval, advance, metric };
}

test('a 4x load step: sized in one decision, the scale line says why; then a slow step down after the window', async (t) => {
  const k = await setup(t, {});
  k.interval(20, 50, 120);
  k.advance(600_000);
  k.interval(20, 50, 120);
  await k.autoscaler.tick();
  assert.equal(await k.quantity(), 2, 'healthy: nothing changes');
  k.interval(80, 50, 1400, 1200);
  await k.autoscaler.tick();
  assert.equal(await k.quantity(), 6, '80 rps × 50 ms = 4 in flight / 0.75 → 6');
  const line = k.logs.lines(k.app.id).at(-1)!;
  assert.deepEqual([line.source, line.dyno], ['app', 'api']);
  assert.equal(line.message, 'Scaled to web@6:Performance-M by autoscaler (p95 1400 ms > 500 ms)');
  const scales = (await k.store.audit.list(k.app.id)).filter((a) => a.action === 'formation.scale');
  assert.equal(scales.length, 1);
  assert.equal(scales[0].userId, null);
  assert.equal(scales[0].message, line.message);

  // The load stays; healthy now. Nothing for the down window; then down to what 20 rps needs.
  for (let i = 0; i < 5; i++) {
    k.interval(80, 50, 150);
    await k.autoscaler.tick();
  }
  assert.equal(await k.quantity(), 6, 'inside the down window nothing is removed');
  for (let i = 0; i < 7; i++) k.interval(20, 50, 100);
  await k.autoscaler.tick();
  assert.equal(await k.quantity(), 3, 'at most half per step (6 → 3), though 20 rps needs 2');
  for (let i = 0; i < 7; i++) k.interval(20, 50, 100);
  await k.autoscaler.tick();
  assert.equal(await k.quantity(), 2);
  assert.match(k.logs.lines(k.app.id).at(-1)!.message, /^Scaled to web@2:Performance-M by autoscaler \(load needs 2, p95 100 ms < 500 ms\)$/);
});

test("Heroku's strategy on the same load adds one dyno per decision, a minute apart", async (t) => {
  const k = await setup(t, { strategy: 'heroku' });
  k.advance(600_000);
  k.interval(80, 50, 1400);
  await k.autoscaler.tick();
  assert.equal(await k.quantity(), 3);
  k.interval(80, 50, 1400);
  await k.autoscaler.tick();
  assert.equal(await k.quantity(), 3, 'a minute between decisions');
  k.advance(60_000);
  k.interval(80, 50, 1400);
  await k.autoscaler.tick();
  assert.equal(await k.quantity(), 4);
});

test('per-dyno concurrency from SLIPWAY_DYNO_CONCURRENCY sizes fewer dynos', async (t) => {
  const k = await setup(t, {}, { vars: { SLIPWAY_DYNO_CONCURRENCY: '4' } });
  k.advance(600_000);
  k.interval(160, 50, 1400);
  await k.autoscaler.tick();
  assert.equal(await k.quantity(), 3, '8 in flight / (4 × 0.75) → 3');
});

test('a worker scales on the metric it logs', async (t) => {
  const k = await setup(t, { type: 'worker', name: 'METRIC_SCALE', metric: 'queue_depth', value: 50 });
  k.advance(600_000);
  k.metric.value = 420;
  await k.autoscaler.tick();
  assert.equal(await k.quantity('worker'), 9);
  assert.match(k.logs.lines(k.app.id).at(-1)!.message, /^Scaled to worker@9:Standard-1X by autoscaler \(queue_depth 420 \/ 50 per dyno\)$/);
});

test('scale to zero after the idle time', async (t) => {
  const k = await setup(t, { min_quantity: 0, idle_ms: 60_000 });
  k.advance(600_000);
  k.interval(5, 50, 100);
  await k.autoscaler.tick();
  assert.equal(await k.quantity(), 1, 'a quarter of a dyno of load: down to 1 (the load never takes it to 0)');
  for (let i = 0; i < 6; i++) k.interval(0, 0, 0);
  await k.autoscaler.tick();
  assert.equal(await k.quantity(), 0);
  assert.match(k.logs.lines(k.app.id).at(-1)!.message, /^Scaled to web@0:Performance-M by autoscaler \(idle for 60 s\)$/);
});

test('an inactive monitor is left alone', async (t) => {
  const k = await setup(t, { is_active: false });
  k.advance(600_000);
  k.interval(160, 50, 1400);
  await k.autoscaler.tick();
  assert.equal(await k.quantity(), 2);
});

test('a failing signal source is logged, never thrown; start/stop own the timer', async (t) => {
  const k = await setup(t, {});
  const broken = createAutoscaler({
    store: k.store, logger: silentLogger, intervalMs: 10,
    signals: { loadSamples: async () => { throw new Error('metrics down'); }, metricValue: async () => null },
    scale: async () => { throw new Error('unreachable'); },
  });
  await broken.tick();
  broken.start();
  await new Promise((r) => setTimeout(r, 50));
  await broken.stop();
});

test('combine and concurrencyOf', () => {
  const a: LoadSample = { windowMs: 10_000, arrivals: 100, p95Ms: 200, queueP95Ms: 0, meanServiceMs: 40 };
  const b: LoadSample = { windowMs: 10_000, arrivals: 300, p95Ms: 900, queueP95Ms: 50, meanServiceMs: 80 };
  assert.deepEqual(combine([a, b]), { windowMs: 20_000, arrivals: 400, p95Ms: 900, queueP95Ms: 50, meanServiceMs: 70 });
  assert.equal(concurrencyOf({}), 1);
  assert.equal(concurrencyOf({ SLIPWAY_DYNO_CONCURRENCY: '8' }), 8);
  assert.equal(concurrencyOf({ SLIPWAY_DYNO_CONCURRENCY: 'lots' }), 1);
});
