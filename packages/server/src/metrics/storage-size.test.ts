/**
 * The documented storage bound (docs/metrics.md): a full week of router metrics for 100 busy apps
 * (every tier filled to its retention: 360 × 10 s, 1,440 × 1 min, 1,008 × 10 min points per app)
 * with realistic sketches, stored in SQLite, measured on disk.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { MetricPointRecord } from '../store/index.js';
import { routerCodec, stripKey } from './router-series.js';
import { aMetricsStore, seeded, summariesOf } from './test-kit.js';
import { TIERS } from './tiers.js';

const APPS = 100;
/** The bound docs/metrics.md states: bytes on disk per app for a full week (all tiers). */
export const BYTES_PER_APP_WEEK_BOUND = 5 * 1024 * 1024;

test('a week of metrics for 100 busy apps stays under the documented size', { timeout: 600_000 }, async (t) => {
  const kit = await aMetricsStore(APPS);
  t.after(() => kit.cleanup());
  const rnd = seeded(42);
  // A busy app: 50 requests/s, log-normal service times around 60 ms with a long tail, some queueing, a few errors.
  const variants = (requests: number) => Array.from({ length: 6 }, () => {
    const reqs = Array.from({ length: requests }, () => {
      const z = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
      const serviceMs = Math.exp(Math.log(60) + 0.8 * z);
      const r = rnd();
      return { serviceMs, queueMs: r < 0.2 ? rnd() * 50 : 0, status: r < 0.01 ? 503 : r < 0.05 ? 404 : 200, code: r < 0.01 ? 'H12' : undefined };
    });
    return routerCodec.encode(stripKey(summariesOf('x', 0, reqs)[0]));
  });
  const dataByTier = new Map(TIERS.map((tier) => [tier.stepS, variants(50 * tier.stepS)]));
  const pointsPerApp = TIERS.reduce((n, tier) => n + tier.retainMs / (tier.stepS * 1000), 0);
  assert.equal(pointsPerApp, 360 + 1440 + 1008);
  const t0 = 1_800_000_000_000;
  for (const appId of kit.appIds) {
    const rows: MetricPointRecord[] = [];
    for (const tier of TIERS) {
      const data = dataByTier.get(tier.stepS)!;
      const n = tier.retainMs / (tier.stepS * 1000);
      for (let i = 0; i < n; i++) rows.push({ appId, kind: 'router', processType: 'web', stepS: tier.stepS, startMs: t0 - i * tier.stepS * 1000, data: data[i % data.length] });
    }
    await kit.store.transaction((tx) => tx.metrics.putMany(rows));
  }
  const counted = await kit.store.metrics.range({ appId: kit.appIds[0], kind: 'router', stepS: 600, fromMs: 0, toMs: t0 + 1 });
  assert.equal(counted.length, 1008);
  await kit.store.close();
  const bytes = statSync(path.join(kit.dataDir, 'slipway.db')).size;
  const perApp = bytes / APPS;
  const avgRow = [...dataByTier.values()].map((v) => v.reduce((s, d) => s + d.length, 0) / v.length);
  t.diagnostic(`sqlite file ${(bytes / 1024 / 1024).toFixed(1)} MB for ${APPS} apps × ${pointsPerApp} points: ${(perApp / 1024).toFixed(0)} KB per app-week, ${(perApp / 7 / 1024).toFixed(0)} KB per app-day; stored bytes per point (deflated JSON; 10 s / 1 min / 10 min): ${avgRow.map((n) => n.toFixed(0)).join(' / ')} bytes`);
  assert.ok(perApp < BYTES_PER_APP_WEEK_BOUND, `${perApp} bytes per app-week`);
});
