import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../../test/helpers/api-server.js';

let t: TestApi;
let alice: string;
let bob: string;
before(async () => {
  t = await startTestApi();
  alice = await t.user('alice@example.com');
  bob = await t.user('bob@example.com');
});
after(async () => { await t.close(); });

test('create with a given name: Heroku shape, default domain, v1 Initial release', async () => {
  const r = await t.request('POST', '/apps', { token: alice, body: { name: 'alice-app', region: 'us', stack: 'heroku-24' } });
  assert.equal(r.status, 201);
  const app = r.body;
  assert.equal(app.name, 'alice-app');
  assert.equal(app.owner.email, 'alice@example.com');
  assert.equal(app.build_stack.name, 'heroku-24');
  assert.equal(app.stack.name, 'heroku-24');
  assert.equal(app.region.name, 'us');
  assert.equal(app.web_url, `http://alice-app.localhost:${t.config.routerPort}/`);
  assert.equal(app.git_url, `http://localhost:${t.config.apiPort}/alice-app.git`);
  assert.equal(app.repo_size, null);
  assert.equal(app.slug_size, null);
  assert.equal(app.maintenance, false);
  assert.equal(app.team, null);
  const domains = await t.request('GET', '/apps/alice-app/domains', { token: alice });
  assert.deepEqual(domains.body.map((d: { hostname: string; kind: string }) => [d.hostname, d.kind]), [['alice-app.localhost', 'heroku']]);
  const releases = await t.request('GET', '/apps/alice-app/releases', { token: alice });
  assert.deepEqual(releases.body.map((x: { version: number; description: string; current: boolean }) => [x.version, x.description, x.current]), [[1, 'Initial release', true]]);
  assert.equal(releases.body[0].user.email, 'alice@example.com');
  const byId = await t.request('GET', `/apps/${app.id}`, { token: alice });
  assert.equal(byId.body.name, 'alice-app');
});

test('create without a name generates one; a taken name is 422 name_taken', async () => {
  const r = await t.request('POST', '/apps', { token: alice, body: {} });
  assert.equal(r.status, 201);
  assert.match(r.body.name, /^[a-z]+-[a-z]+-\d{4}$/);
  const dup = await t.request('POST', '/apps', { token: bob, body: { name: 'alice-app' } });
  assert.equal(dup.status, 422);
  assert.equal(dup.body.id, 'name_taken');
});

test('another user gets 404 for an app they cannot see, on every path', async () => {
  for (const [method, p, body] of [
    ['GET', '/apps/alice-app'], ['PATCH', '/apps/alice-app', { maintenance: true }], ['DELETE', '/apps/alice-app'],
    ['GET', '/apps/alice-app/config-vars'], ['PATCH', '/apps/alice-app/config-vars', { A: '1' }],
    ['GET', '/apps/alice-app/releases'], ['GET', '/apps/alice-app/releases/1'], ['POST', '/apps/alice-app/releases', { release: '1' }],
    ['GET', '/apps/alice-app/formation'], ['GET', '/apps/alice-app/domains'], ['POST', '/apps/alice-app/domains', { hostname: 'x.example.com', sni_endpoint: null }],
    ['GET', '/apps/alice-app/collaborators'], ['POST', '/apps/alice-app/collaborators', { user: 'bob@example.com' }],
    ['GET', '/apps/alice-app/addons'], ['GET', '/apps/alice-app/sni-endpoints'],
  ] as [string, string, unknown?][]) {
    const r = await t.request(method, p, { token: bob, body });
    assert.equal(r.status, 404, `${method} ${p}`);
    assert.equal(r.body.id, 'not_found');
    assert.equal(r.body.resource, 'app');
  }
  const mine = await t.request('GET', '/users/~/apps', { token: bob });
  assert.deepEqual(mine.body, []);
  const missing = await t.request('GET', '/apps/no-such-app', { token: bob });
  const invisible = await t.request('GET', '/apps/alice-app', { token: bob });
  assert.deepEqual(invisible.body, missing.body, 'an invisible app looks exactly like a missing one');
});

test('collaborators get access; the owner is listed first; access by email or id', async () => {
  const add = await t.request('POST', '/apps/alice-app/collaborators', { token: alice, body: { user: 'bob@example.com' } });
  assert.equal(add.status, 201);
  assert.equal(add.body.role, 'collaborator');
  const list = await t.request('GET', '/apps/alice-app/collaborators', { token: bob });
  assert.deepEqual(list.body.map((c: { user: { email: string }; role: string }) => [c.user.email, c.role]), [['alice@example.com', 'owner'], ['bob@example.com', 'collaborator']]);
  const cfg = await t.request('PATCH', '/apps/alice-app/config-vars', { token: bob, body: { FROM_BOB: 'yes' } });
  assert.equal(cfg.status, 200);
  const theirs = await t.request('GET', '/users/~/apps', { token: bob });
  assert.deepEqual(theirs.body.map((a: { name: string; owner: { email: string } }) => [a.name, a.owner.email]), [['alice-app', 'alice@example.com']]);
  assert.equal((await t.request('POST', '/apps/alice-app/collaborators', { token: alice, body: { user: 'bob@example.com' } })).status, 422);
  assert.equal((await t.request('POST', '/apps/alice-app/collaborators', { token: alice, body: { user: 'nobody@example.com' } })).status, 404);
  assert.equal((await t.request('DELETE', '/apps/alice-app', { token: bob })).status, 403);
  const one = await t.request('GET', `/apps/alice-app/collaborators/${add.body.id}`, { token: alice });
  assert.equal(one.body.user.email, 'bob@example.com');
  const removed = await t.request('DELETE', '/apps/alice-app/collaborators/bob@example.com', { token: alice });
  assert.equal(removed.status, 200);
  assert.equal((await t.request('GET', '/apps/alice-app', { token: bob })).status, 404);
});

test('admins see every app with GET /apps; users see their own', async () => {
  const all = await t.request('GET', '/apps');
  assert.ok(all.body.some((a: { name: string }) => a.name === 'alice-app'));
  const bobs = await t.request('GET', '/apps', { token: bob });
  assert.deepEqual(bobs.body, []);
});

test('rename, maintenance, destroy', async () => {
  await t.request('POST', '/apps', { token: alice, body: { name: 'old-name' } });
  const renamed = await t.request('PATCH', '/apps/old-name', { token: alice, body: { name: 'new-name' } });
  assert.equal(renamed.status, 200);
  assert.equal(renamed.body.web_url, `http://new-name.localhost:${t.config.routerPort}/`);
  assert.equal((await t.request('GET', '/apps/old-name', { token: alice })).status, 404);
  const domains = await t.request('GET', '/apps/new-name/domains', { token: alice });
  assert.deepEqual(domains.body.map((d: { hostname: string }) => d.hostname), ['new-name.localhost']);
  const taken = await t.request('PATCH', '/apps/new-name', { token: alice, body: { name: 'alice-app' } });
  assert.equal(taken.body.id, 'name_taken');
  const on = await t.request('PATCH', '/apps/new-name', { token: alice, body: { maintenance: true } });
  assert.equal(on.body.maintenance, true);
  const events: string[] = [];
  const off = t.events.on('app.destroyed', (e) => events.push(e.name));
  const del = await t.request('DELETE', '/apps/new-name', { token: alice });
  off();
  assert.equal(del.status, 200);
  assert.equal(del.body.name, 'new-name');
  assert.deepEqual(events, ['new-name']);
  assert.equal((await t.request('GET', '/apps/new-name', { token: alice })).status, 404);
});

test('domains: custom ones are added, listed, fetched by hostname and removed', async () => {
  const add = await t.request('POST', '/apps/alice-app/domains', { token: alice, body: { hostname: 'WWW.Example.com', sni_endpoint: null } });
  assert.equal(add.status, 201);
  assert.equal(add.body.hostname, 'www.example.com');
  assert.equal(add.body.kind, 'custom');
  assert.equal(add.body.cname, 'alice-app.localhost');
  assert.equal((await t.request('GET', '/apps/alice-app/domains/www.example.com', { token: alice })).body.id, add.body.id);
  assert.equal((await t.request('POST', '/apps/alice-app/domains', { token: alice, body: { hostname: 'www.example.com', sni_endpoint: null } })).status, 422);
  assert.equal((await t.request('DELETE', '/apps/alice-app/domains/alice-app.localhost', { token: alice })).status, 422);
  assert.equal((await t.request('DELETE', '/apps/alice-app/domains/www.example.com', { token: alice })).status, 200);
  assert.deepEqual((await t.request('GET', '/apps/alice-app/sni-endpoints', { token: alice })).body, []);
});

test('apps:info side calls: addons [], pipeline-couplings 404, addon-attachments []', async () => {
  assert.deepEqual((await t.request('GET', '/apps/alice-app/addons', { token: alice })).body, []);
  assert.equal((await t.request('GET', '/apps/alice-app/pipeline-couplings', { token: alice })).status, 404);
  assert.deepEqual((await t.request('GET', '/addon-attachments', { token: alice })).body, []);
});
