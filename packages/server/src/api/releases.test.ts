import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../../test/helpers/api-server.js';
import type { AppRecord } from '../store/types.js';

let t: TestApi;
let app: AppRecord;
before(async () => {
  t = await startTestApi();
  await t.request('POST', '/apps', { body: { name: 'rel-app' } });
  app = (await t.store.apps.findByName('rel-app'))!;
});
after(async () => { await t.close(); });

const messages = () => t.logs.lines(app.id).map((l) => `${l.source}[${l.dyno}]: ${l.message}`);

test('config PATCH sets and unsets, answers the full config and creates a release', async () => {
  const set = await t.request('PATCH', '/apps/rel-app/config-vars', { body: { FOO: '1', BAR: 'x y' } });
  assert.equal(set.status, 200);
  assert.deepEqual(set.body, { FOO: '1', BAR: 'x y' });
  const latest = await t.request('GET', '/apps/rel-app/releases', { headers: { Range: 'version ..; order=desc,max=1' } });
  assert.equal(latest.body.length, 1);
  assert.equal(latest.body[0].version, 2);
  assert.equal(latest.body[0].description, 'Set FOO, BAR config vars');
  assert.equal(latest.body[0].current, true);
  const unset = await t.request('PATCH', '/apps/rel-app/config-vars', { body: { BAR: null } });
  assert.deepEqual(unset.body, { FOO: '1' });
  const v3 = await t.request('GET', '/apps/rel-app/releases/3');
  assert.equal(v3.body.description, 'Remove BAR config vars');
  assert.equal(v3.body.eligible_for_rollback, true);
  assert.equal(v3.body.output_stream_url, null);
  assert.deepEqual((await t.request('GET', '/apps/rel-app/releases/v2/config-vars')).body, { FOO: '1', BAR: 'x y' });
  assert.deepEqual((await t.request('GET', '/apps/rel-app/config-vars')).body, { FOO: '1' });
  assert.ok(messages().includes('app[api]: Set FOO, BAR config vars by user admin@example.com'));
  assert.ok(messages().includes('app[api]: Release v3 created by user admin@example.com'));
  const audit = await t.store.audit.list(app.id, 100);
  assert.ok(audit.some((a) => a.message === 'Remove BAR config vars by user admin@example.com'));
});

test('20 concurrent config PATCHes: no duplicate versions, no lost key', async () => {
  const before = (await t.store.releases.count(app.id));
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => t.request('PATCH', '/apps/rel-app/config-vars', { body: { [`K${i}`]: String(i) } })));
  for (const r of results) assert.equal(r.status, 200);
  const config = (await t.request('GET', '/apps/rel-app/config-vars')).body;
  for (let i = 0; i < 20; i++) assert.equal(config[`K${i}`], String(i), `K${i}`);
  const releases = (await t.request('GET', '/apps/rel-app/releases')).body as { version: number }[];
  const versions = releases.map((r) => r.version);
  assert.equal(new Set(versions).size, versions.length);
  assert.equal(versions.length, before + 20);
  assert.deepEqual(versions, Array.from({ length: versions.length }, (_, i) => i + 1));
  const newest = (await t.request('GET', `/apps/rel-app/releases/${versions.length}/config-vars`)).body;
  for (let i = 0; i < 20; i++) assert.equal(newest[`K${i}`], String(i), 'the newest release carries every key');
});

test('releases pagination: 206 + Next-Range while more exist, never on the last page', async () => {
  const total = await t.store.releases.count(app.id);
  let range = 'version ..; max=10, order=desc';
  const seen: number[] = [];
  for (let pages = 0; pages < 10; pages++) {
    const r = await t.request('GET', '/apps/rel-app/releases', { headers: { Range: range } });
    seen.push(...r.body.map((x: { version: number }) => x.version));
    const next = r.headers.get('next-range');
    if (seen.length < total) {
      assert.equal(r.status, 206);
      assert.ok(next);
      range = next;
    } else {
      assert.equal(r.status, 200);
      assert.equal(next, null);
      break;
    }
  }
  assert.deepEqual(seen, Array.from({ length: total }, (_, i) => total - i));
  const bad = await t.request('GET', '/apps/rel-app/releases', { headers: { Range: 'color ..; max=1' } });
  assert.equal(bad.status, 416);
});

test('rollback copies the old config and says "Rollback to vN"', async () => {
  const v2 = (await t.request('GET', '/apps/rel-app/releases/2')).body;
  const r = await t.request('POST', '/apps/rel-app/releases', { body: { release: v2.id } });
  assert.equal(r.status, 201);
  assert.equal(r.body.description, 'Rollback to v2');
  assert.equal(r.body.current, true);
  assert.deepEqual((await t.request('GET', '/apps/rel-app/config-vars')).body, { FOO: '1', BAR: 'x y' });
  assert.ok(messages().includes(`app[api]: Rollback to v2 by user admin@example.com`));
  assert.equal((await t.request('POST', '/apps/rel-app/releases', { body: { release: '999' } })).status, 404);
});

test('deployRelease: a release for a slug, formation from its process types, events', async () => {
  const admin = (await t.store.users.findByEmail('admin@example.com'))!;
  const slug = await t.store.slugs.create({
    appId: app.id, checksum: null, size: 1234, processTypes: { web: 'npm start', worker: 'node w.js' },
    commit: '1a2b3c4d5e', commitDescription: null, buildpackProvidedDescription: 'Node.js', stack: 'heroku-24', blobPath: null,
  });
  const seen: string[] = [];
  const offs = [t.events.on('release.created', (e) => seen.push(`release v${e.version}`)), t.events.on('formation.changed', (e) => seen.push(`formation ${e.types.join(',')}`))];
  const release = await t.apps.deployRelease({ app, slugId: slug.id, description: 'Deploy 1a2b3c4', user: admin });
  offs.forEach((off) => off());
  assert.deepEqual(seen, [`release v${release.version}`, 'formation web,worker']);
  assert.equal(release.slugId, slug.id);
  assert.deepEqual(release.config, (await t.store.configVars.get(app.id)));
  const formation = (await t.request('GET', '/apps/rel-app/formation')).body as { type: string; quantity: number; size: string; command: string }[];
  assert.deepEqual(formation.map((f) => [f.type, f.quantity, f.size, f.command]).sort(), [['web', 1, 'Standard-1X', 'npm start'], ['worker', 0, 'Standard-1X', 'node w.js']]);
  assert.ok(messages().includes('app[api]: Deploy 1a2b3c4 by user admin@example.com'));
  const info = (await t.request('GET', '/apps/rel-app')).body;
  assert.equal(info.slug_size, 1234);

  // scaling: strings, relative, sizes, one type
  const scaled = await t.request('PATCH', '/apps/rel-app/formation', { body: { updates: [{ type: 'web', quantity: '3' }, { type: 'worker', quantity: '+1', size: 'standard-2x' }] } });
  assert.equal(scaled.status, 200);
  assert.deepEqual(scaled.body.map((f: { type: string; quantity: number; size: string }) => [f.type, f.quantity, f.size]), [['web', 3, 'Standard-1X'], ['worker', 1, 'Standard-2X']]);
  assert.ok(messages().includes('app[api]: Scaled to web@3:Standard-1X worker@1:Standard-2X by user admin@example.com'));
  const one = await t.request('PATCH', '/apps/rel-app/formation/web', { body: { quantity: -1 } });
  assert.equal(one.status, 422);
  const down = await t.request('PATCH', '/apps/rel-app/formation/web', { body: { quantity: '-1', dyno_size: { name: 'Performance-M' } } });
  assert.deepEqual([down.body.quantity, down.body.size], [2, 'Performance-M']);
  const neg = await t.request('PATCH', '/apps/rel-app/formation', { body: { updates: [{ type: 'worker', quantity: '-5' }] } });
  assert.equal(neg.status, 422);
  assert.equal(neg.body.id, 'invalid_params');
  const size = await t.request('PATCH', '/apps/rel-app/formation', { body: { updates: [{ type: 'web', size: 'huge' }] } });
  assert.equal(size.status, 422);
  assert.match(size.body.message, /Standard-1X/);
  const unknown = await t.request('PATCH', '/apps/rel-app/formation', { body: { updates: [{ type: 'clock', quantity: 1 }] } });
  assert.equal(unknown.status, 404);
  assert.equal((await t.request('GET', '/apps/rel-app/formation/web')).body.quantity, 2);

  // POST /releases {slug}: the create form
  const created = await t.request('POST', '/apps/rel-app/releases', { body: { slug: slug.id, description: 'Promote' } });
  assert.equal(created.status, 201);
  assert.equal(created.body.description, 'Promote');
  assert.equal(created.body.slug.id, slug.id);
  assert.equal((await t.request('GET', '/apps/rel-app/formation/web')).body.quantity, 2, 'existing types keep their quantity');
});
