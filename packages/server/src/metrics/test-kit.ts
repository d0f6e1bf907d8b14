/** Builders for the metrics room's tests: a store with apps, and router summaries from known values. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../log/index.js';
import { createStore, type Store } from '../store/index.js';
import { createRouterAggregator } from './router-aggregator.js';
import type { RouterSummary } from './router-summary.js';

export async function aMetricsStore(apps = 1): Promise<{ store: Store; appIds: string[]; dataDir: string; reopen(): Promise<Store>; cleanup(): void }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'slipway-metrics-'));
  const open = () => createStore({ databaseUrl: '', dataDir, logger: silentLogger });
  const store = await open();
  const owner = await store.users.create({ email: 'owner@example.com', admin: false });
  const appIds: string[] = [];
  for (let i = 0; i < apps; i++) {
    const app = await store.apps.create({ name: `app-${i}`, ownerId: owner.id, region: 'us', stack: 'heroku-24', maintenance: false, preboot: false, releasedAt: null });
    appIds.push(app.id);
  }
  return { store, appIds, dataDir, reopen: open, cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
}

/** The summaries the router's aggregator makes for `requests` (service ms, status, code) completed at `atMs`. */
export function summariesOf(appId: string, atMs: number, requests: { serviceMs: number; status?: number; code?: string; queueMs?: number }[], intervalMs = 10_000): RouterSummary[] {
  const out: RouterSummary[] = [];
  const agg = createRouterAggregator({ onSummary: (s) => out.push(s), now: () => atMs, intervalMs });
  for (const r of requests) {
    agg.enter(appId);
    agg.record(appId, { status: r.status ?? 200, code: r.code ?? null, queueMs: r.queueMs ?? 0, connectMs: 0, serviceMs: r.serviceMs, bytes: 100 });
  }
  agg.stop();
  return out;
}

/** A deterministic PRNG (mulberry32), so the distributions are the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
