import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEventBus } from '../events/index.js';
import { silentLogger } from '../log/index.js';
import { createStore } from '../store/index.js';
import { createRouteFeed } from './feed.js';
import type { RoutingTable } from './types.js';
import { testConfig } from '../config.js';
import { startInProcessRouter } from './in-process.js';
import { request, startBackend, until } from './test-support.js';

async function setup(t: import('node:test').TestContext) {
  const store = await createStore({ databaseUrl: 'sqlite::memory:', dataDir: '/nonexistent-unused', logger: silentLogger });
  const events = createEventBus();
  const feed = createRouteFeed({ store, events, logger: silentLogger, domain: 'localhost', debounceMs: 10, pollMs: 60_000 });
  t.after(async () => { await feed.stop(); await store.close(); });
  const user = await store.users.create({ email: 'owner@example.com', admin: false });
  const app = await store.apps.create({ name: 'shop', ownerId: user.id, region: 'us', stack: 'heroku-24', maintenance: false, preboot: false, releasedAt: null });
  return { store, events, feed, app };
}

const dyno = (appId: string, name: string, over: Record<string, unknown> = {}) => ({
  appId, name, type: name.split('.')[0], command: 'npm start', size: 'standard-1x', state: 'up' as const, releaseId: null, releaseVersion: 1,
  host: '127.0.0.1', port: 4000 + Number(name.split('.')[1]), driverRef: null, attach: false, restartCount: 0, exitCode: null, ...over,
});

test('builds the table from apps, domains, config vars and web dynos in every state', async (t) => {
  const { store, feed, app } = await setup(t);
  await store.domains.create({ appId: app.id, hostname: 'WWW.Shop.example', kind: 'custom', cname: null });
  await store.configVars.patch(app.id, { SLIPWAY_DYNO_CONCURRENCY: '3' });
  await store.dynos.upsert(dyno(app.id, 'web.2', { state: 'crashed', host: null, port: null }));
  await store.dynos.upsert(dyno(app.id, 'web.1'));
  await store.dynos.upsert(dyno(app.id, 'worker.1'));
  await feed.start();
  assert.deepEqual(feed.snapshot().apps, [{
    appId: app.id, name: 'shop', hostnames: ['shop.localhost', 'www.shop.example'], maintenance: false, concurrency: 3,
    dynos: [
      { name: 'web.1', state: 'up', host: '127.0.0.1', port: 4001 },
      { name: 'web.2', state: 'crashed', host: null, port: null },
    ],
  }]);
});

test('rebuilds on platform events and notifies subscribers only when the table changed', async (t) => {
  const { store, events, feed, app } = await setup(t);
  await feed.start();
  const seen: RoutingTable[] = [];
  feed.subscribe((table) => seen.push(table));

  const d = await store.dynos.upsert(dyno(app.id, 'web.1', { state: 'starting' }));
  events.emit('dyno.changed', { appId: app.id, dynoName: 'web.1' });
  await until(() => seen.at(-1)?.apps[0].dynos[0]?.state === 'starting', 'the starting dyno');

  await store.dynos.update(d.id, { state: 'up' });
  events.emit('dyno.changed', { appId: app.id, dynoName: 'web.1' });
  await until(() => seen.at(-1)?.apps[0].dynos[0]?.state === 'up', 'the dyno to be up');

  await store.apps.update(app.id, { maintenance: true });
  events.emit('app.changed', { appId: app.id });
  await until(() => seen.at(-1)?.apps[0].maintenance, 'maintenance on');

  const count = seen.length;
  events.emit('formation.changed', { appId: app.id, types: ['web'] });
  await feed.refresh();
  assert.equal(seen.length, count, 'no notification without a change');
  assert.ok(seen.every((s, i) => i === 0 || s.version > seen[i - 1].version));

  await store.apps.delete(app.id);
  events.emit('app.destroyed', { appId: app.id, name: 'shop' });
  await until(() => seen.at(-1)?.apps.length === 0, 'the app to leave the table');
});

test('store changes reach a running router through the feed: a dyno comes up, then crashes (H10)', async (t) => {
  const { store, events, feed, app } = await setup(t);
  const backend = await startBackend((_req, res) => res.end('from the store'));
  t.after(() => backend.close());
  await feed.start();
  const lines: string[] = [];
  const running = await startInProcessRouter({
    config: { ...testConfig(), routerPort: 0, listenHost: '127.0.0.1' }, logger: silentLogger, feed,
    logs: { publish: (appId, line) => { if (appId === app.id && line.dyno === 'router') lines.push(line.message); } },
  });
  t.after(() => running.stop());

  const d = await store.dynos.upsert(dyno(app.id, 'web.1', { state: 'starting', host: null, port: null }));
  events.emit('dyno.changed', { appId: app.id, dynoName: 'web.1' });
  await until(() => feed.snapshot().apps[0]?.dynos[0]?.state === 'starting', 'the starting dyno in the table');
  const waiting = request(running.port, { host: 'shop.localhost' });
  await store.dynos.update(d.id, { state: 'up', host: '127.0.0.1', port: backend.port });
  events.emit('dyno.changed', { appId: app.id, dynoName: 'web.1' });
  assert.equal((await waiting).body, 'from the store');

  await store.dynos.update(d.id, { state: 'crashed', host: null, port: null });
  events.emit('dyno.changed', { appId: app.id, dynoName: 'web.1' });
  await until(async () => (await request(running.port, { host: 'shop.localhost' })).status === 503, 'H10 after the crash');
  await until(() => lines.find((l) => /code=H10/.test(l)), 'the H10 line on the app channel');
});
