/**
 * Test kit for the dyno manager: a real SQLite store in a temp dir, a real slug tar.gz, the real
 * process driver, a recording log sink and a controllable clock. Used by `manager*.test.ts` and
 * the dyno routes' tests.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { testConfig, type Config } from '../config.js';
import { createEventBus, type EventBus } from '../events/index.js';
import { silentLogger } from '../log/index.js';
import type { LogLine, LogSink } from '../logplex/types.js';
import { createStore } from '../store/index.js';
import type { AppRecord, ReleaseRecord, SlugRecord, Store, UserRecord } from '../store/types.js';
import type { RuntimeDriver } from './driver.js';
import { until } from './driver.case.js';
import { createDynoManager, type DynoManager, type DynoManagerDeps } from './manager.js';
import { createProcessDriver } from './process-driver.js';

export { until };

const WEB_JS = `
const http = require('http');
process.on('SIGTERM', () => { console.log('got SIGTERM'); process.exit(0); });
http.createServer((req, res) => res.end(JSON.stringify({ dyno: process.env.DYNO, foo: process.env.FOO || null,
  release: process.env.HEROKU_RELEASE_VERSION, pid: process.pid })))
  .listen(Number(process.env.PORT), () => console.log('listening'));
`;

export interface Kit {
  dir: string;
  config: Config;
  store: Store;
  events: EventBus;
  driver: RuntimeDriver;
  lines: (LogLine & { appId: string })[];
  logs: LogSink;
  /** Runs with the wall clock until `freeze()`; `advance` moves it forward. */
  clock: { readonly now: Date; advance(ms: number): void; freeze(): void };
  user: UserRecord;
  app: AppRecord;
  slug: SlugRecord;
  managers: DynoManager[];
  manager(over?: Partial<DynoManagerDeps>): DynoManager;
  release(config?: Record<string, string>): Promise<ReleaseRecord>;
  scale(type: string, quantity: number, command?: string, size?: string): Promise<void>;
  heroku(dyno: string): string[];
  waitFor(what: string, cond: () => boolean | Promise<boolean>, ms?: number): Promise<void>;
  close(): Promise<void>;
}

export async function makeKit(over: Partial<Config> = {}): Promise<Kit> {
  const dir = await mkdtemp(path.join(tmpdir(), 'slipway-dynos-'));
  const config = testConfig({
    dataDir: dir, bootTimeoutMs: 10_000, stopGraceMs: 5_000, restartCooloffMaxMs: 300, cyclePeriodMs: 0, ...over,
  });
  const src = path.join(dir, 'src', 'app');
  await mkdir(src, { recursive: true });
  await writeFile(path.join(src, 'web.js'), WEB_JS);
  await mkdir(path.join(dir, 'slugs'), { recursive: true });
  const tar = spawnSync('tar', ['-czf', path.join(dir, 'slugs', 'one.tgz'), '-C', path.join(dir, 'src'), './app'], { encoding: 'utf8' });
  assert.equal(tar.status, 0, tar.stderr);

  const store = await createStore({ databaseUrl: '', dataDir: dir, logger: silentLogger });
  const events = createEventBus();
  const driver = createProcessDriver({ dataDir: dir });
  const lines: Kit['lines'] = [];
  const logs: LogSink = { publish: (appId, l) => lines.push({ appId, time: l.time ?? new Date(), source: l.source, dyno: l.dyno, message: l.message }) };
  let offset = 0;
  let frozenAt: number | null = null;
  const clock = {
    get now() { return new Date((frozenAt ?? Date.now()) + offset); },
    advance(ms: number) { offset += ms; },
    freeze() { frozenAt = Date.now(); },
  };
  const user = await store.users.create({ email: 'admin@example.com', admin: true });
  const app = await store.apps.create({ name: 'dyno-app', ownerId: user.id, region: 'us', stack: 'heroku-24', maintenance: false, preboot: false, releasedAt: null });
  const slug = await store.slugs.create({
    appId: app.id, checksum: null, size: null, processTypes: { web: `exec '${process.execPath}' web.js` }, commit: 'abc123',
    commitDescription: null, buildpackProvidedDescription: null, stack: 'heroku-24', blobPath: 'slugs/one.tgz',
  });
  const managers: DynoManager[] = [];
  const kit: Kit = {
    dir, config, store, events, driver, lines, logs, clock, user, app, slug, managers,
    manager(o = {}) {
      const m = createDynoManager({
        config, store, driver, logs, events, logger: silentLogger, clock: () => clock.now, random: () => 0.5,
        memorySampleMs: 500, resyncMs: 60_000, ...o,
      });
      managers.push(m);
      return m;
    },
    async release(cfg = {}) {
      const r = await store.releases.create({ appId: app.id, slugId: slug.id, config: cfg, description: 'Deploy', status: 'succeeded', userId: user.id });
      events.emit('release.created', { appId: app.id, releaseId: r.id, version: r.version });
      return r;
    },
    async scale(type, quantity, command = `exec '${process.execPath}' web.js`, size = 'standard-1x') {
      await store.formation.upsert(app.id, { type, quantity, command, size });
      events.emit('formation.changed', { appId: app.id, types: [type] });
    },
    heroku: (dyno) => lines.filter((l) => l.source === 'heroku' && l.dyno === dyno).map((l) => l.message),
    waitFor: (what, cond, ms = 20_000) => until(cond, ms, what),
    async close() {
      for (const m of managers.splice(0)) await m.stop();
      await driver.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return kit;
}

/** The JSON a kit web dyno answers with. */
export async function hit(host: string | null, port: number | null): Promise<{ dyno: string; foo: string | null; release: string; pid: number }> {
  const res = await fetch(`http://${host}:${port}/`);
  return (await res.json()) as { dyno: string; foo: string | null; release: string; pid: number };
}
