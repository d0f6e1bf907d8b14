import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../../test/helpers/api-server.js';

let t: TestApi;
before(async () => {
  t = await startTestApi();
  await t.request('POST', '/apps', { body: { name: 'val-app' } });
  const app = (await t.store.apps.findByName('val-app'))!;
  await t.store.formation.upsert(app.id, { type: 'web', quantity: 1, size: 'Standard-1X', command: 'npm start' });
});
after(async () => { await t.close(); });

/** [method, path, body, expected status, a word the message must contain (the field)] */
const cases: [string, string, unknown, number, string][] = [
  ['POST', '/users', {}, 422, 'email'],
  ['POST', '/users', { email: 'not-an-email' }, 422, 'email'],
  ['POST', '/users', { email: 'a@b.co', role: 'x' }, 422, 'role'],
  ['POST', '/users', { email: 5 }, 422, 'email'],
  ['POST', '/apps', { name: 'Bad Name' }, 422, 'Name'],
  ['POST', '/apps', { name: 'ab' }, 422, 'Name'],
  ['POST', '/apps', { name: 42 }, 422, 'name'],
  ['POST', '/apps', { region: 'mars' }, 422, 'region'],
  ['POST', '/apps', { stack: 'cedar-14' }, 422, 'stack'],
  ['POST', '/apps', { team: 'acme' }, 422, 'team'],
  ['POST', '/apps', { colour: 'blue' }, 422, 'colour'],
  ['POST', '/apps', [], 422, 'body'],
  ['POST', '/apps', 'just a string', 422, 'body'],
  ['PATCH', '/apps/val-app', { name: 'NO' }, 422, 'Name'],
  ['PATCH', '/apps/val-app', { maintenance: 'yes' }, 422, 'maintenance'],
  ['PATCH', '/apps/val-app', { build_stack: 'cedar-14' }, 422, 'build_stack'],
  ['PATCH', '/apps/val-app', { owner: 'x' }, 422, 'owner'],
  ['PATCH', '/apps/val-app/config-vars', { '1BAD': 'x' }, 422, '1BAD'],
  ['PATCH', '/apps/val-app/config-vars', { 'BAD-KEY': 'x' }, 422, 'BAD-KEY'],
  ['PATCH', '/apps/val-app/config-vars', { GOOD: 5 }, 422, 'GOOD'],
  ['PATCH', '/apps/val-app/config-vars', { GOOD: { nested: true } }, 422, 'GOOD'],
  ['PATCH', '/apps/val-app/config-vars', ['A'], 422, 'body'],
  ['POST', '/apps/val-app/releases', {}, 422, 'slug'],
  ['POST', '/apps/val-app/releases', { release: '' }, 422, 'release'],
  ['POST', '/apps/val-app/releases', { release: true }, 422, 'release'],
  ['POST', '/apps/val-app/releases', { release: '1', extra: 1 }, 422, 'extra'],
  ['POST', '/apps/val-app/releases', { slug: 5 }, 422, 'slug'],
  ['POST', '/apps/val-app/releases', { slug: 'no-such-slug' }, 404, 'slug'],
  ['PATCH', '/apps/val-app/formation', {}, 422, 'updates'],
  ['PATCH', '/apps/val-app/formation', { updates: [] }, 422, 'updates'],
  ['PATCH', '/apps/val-app/formation', { updates: [{ quantity: 1 }] }, 422, 'type'],
  ['PATCH', '/apps/val-app/formation', { updates: [{ type: 'web', quantity: 'lots' }] }, 422, 'quantity'],
  ['PATCH', '/apps/val-app/formation', { updates: [{ type: 'web', quantity: 1.5 }] }, 422, 'quantity'],
  ['PATCH', '/apps/val-app/formation', { updates: [{ type: 'web', size: 'tiny' }] }, 422, 'size'],
  ['PATCH', '/apps/val-app/formation', { updates: [{ type: 'web', quantity: '-9' }] }, 422, 'negative'],
  ['PATCH', '/apps/val-app/formation', { updates: [{ type: 'web', color: 'red' }] }, 422, 'color'],
  ['PATCH', '/apps/val-app/formation', { updates: [{ type: 'no/slash', quantity: 1 }] }, 422, 'type'],
  ['PATCH', '/apps/val-app/formation/web', { quantity: 'x' }, 422, 'quantity'],
  ['PATCH', '/apps/val-app/formation/web', { dyno_size: { name: 'tiny' } }, 422, 'size'],
  ['PATCH', '/apps/val-app/formation/web', { bogus: 1 }, 422, 'bogus'],
  ['PATCH', '/apps/val-app/formation/clock', { quantity: 1 }, 404, 'process type'],
  ['POST', '/apps/val-app/domains', {}, 422, 'hostname'],
  ['POST', '/apps/val-app/domains', { hostname: 'not a host', sni_endpoint: null }, 422, 'hostname'],
  ['POST', '/apps/val-app/domains', { hostname: 'foo.localhost', sni_endpoint: null }, 422, 'reserved'],
  ['POST', '/apps/val-app/domains', { hostname: 'a.example.com', extra: 1 }, 422, 'extra'],
  ['POST', '/apps/val-app/domains', { hostname: 7 }, 422, 'hostname'],
  ['POST', '/apps/val-app/collaborators', {}, 422, 'user'],
  ['POST', '/apps/val-app/collaborators', { user: 3 }, 422, 'user'],
  ['POST', '/apps/val-app/collaborators', { user: 'admin@example.com' }, 422, 'owns'],
  ['POST', '/apps/val-app/collaborators', { user: 'x@example.com', role: 'god' }, 422, 'role'],
];

test('bad input on every endpoint is a 4xx naming the field, never a 500', async () => {
  for (const [method, p, body, status, word] of cases) {
    const r = await t.request(method, p, { body });
    const label = `${method} ${p} ${JSON.stringify(body)} → ${r.status} ${JSON.stringify(r.body)}`;
    assert.equal(r.status, status, label);
    assert.equal(typeof r.body.id, 'string', label);
    assert.ok(r.body.message.toLowerCase().includes(word.toLowerCase()), label);
  }
});

test('malformed JSON is 400 bad_request; a non-JSON body is 415', async () => {
  for (const [method, p] of [['POST', '/apps'], ['PATCH', '/apps/val-app'], ['PATCH', '/apps/val-app/config-vars'], ['PATCH', '/apps/val-app/formation'], ['POST', '/apps/val-app/domains'], ['POST', '/apps/val-app/collaborators'], ['POST', '/apps/val-app/releases'], ['POST', '/users']]) {
    const bad = await t.request(method, p, { rawBody: '{"name": ' });
    assert.equal(bad.status, 400, `${method} ${p}`);
    assert.equal(bad.body.id, 'bad_request');
    const text = await t.request(method, p, { rawBody: 'name=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(text.status, 415, `${method} ${p}`);
  }
});

test('bad Range headers are 416; unknown ids are 404', async () => {
  for (const p of ['/apps', '/users/~/apps', '/apps/val-app/domains', '/apps/val-app/releases']) {
    const r = await t.request('GET', p, { headers: { Range: 'bogus ..; max=x' } });
    assert.equal(r.status, 416, p);
    assert.equal(r.body.id, 'requested_range_not_satisfiable');
  }
  for (const p of ['/apps/val-app/releases/abc', '/apps/val-app/releases/99', '/apps/val-app/releases/abc/config-vars', '/apps/val-app/formation/nope', '/apps/val-app/domains/nope.example.com', '/apps/val-app/collaborators/nobody@example.com', '/apps/%E0%A4%A']) {
    const r = await t.request('GET', p);
    assert.equal(r.status, 404, p);
  }
});
