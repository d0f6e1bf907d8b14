import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startTestApi, type TestApi } from '../../test/helpers/api-server.js';
import { bootstrapAdmin, hashToken } from '../auth/index.js';
import { testConfig } from '../config.js';
import { silentLogger } from '../log/index.js';
import { createStore } from '../store/index.js';

let t: TestApi;
before(async () => { t = await startTestApi(); });
after(async () => { await t.close(); });

test('no token or a bad one is 401 unauthorized', async () => {
  for (const token of [null, 'nope-not-a-token', '']) {
    const r = await t.request('GET', '/account', { token });
    assert.equal(r.status, 401, String(token));
    assert.equal(r.body.id, 'unauthorized');
  }
  const basicBad = await t.request('GET', '/apps', { token: null, headers: { Authorization: `Basic ${Buffer.from('heroku:wrong').toString('base64')}` } });
  assert.equal(basicBad.status, 401);
});

test('bearer and basic auth (any username, password = token) both work', async () => {
  const bearer = await t.request('GET', '/account');
  assert.equal(bearer.status, 200);
  assert.equal(bearer.body.email, 'admin@example.com');
  const basic = await t.request('GET', '/account', { token: null, headers: { Authorization: `Basic ${Buffer.from(`whoever:${t.adminToken}`).toString('base64')}` } });
  assert.equal(basic.status, 200);
  assert.equal(basic.body.id, bearer.body.id);
});

test('tokens are stored hashed', async () => {
  const record = await t.store.tokens.findByHash(hashToken(t.adminToken));
  assert.ok(record);
  assert.notEqual(record.tokenHash, t.adminToken);
});

test('only admins create and list users; a new user gets a working token', async () => {
  const token = await t.user('dev@example.com');
  const me = await t.request('GET', '/account', { token });
  assert.equal(me.body.email, 'dev@example.com');
  assert.equal(me.body.admin, false);
  const denied = await t.request('POST', '/users', { token, body: { email: 'x@example.com' } });
  assert.equal(denied.status, 403);
  assert.equal(denied.body.id, 'forbidden');
  assert.equal((await t.request('GET', '/users', { token })).status, 403);
  const list = await t.request('GET', '/users');
  assert.deepEqual(list.body.map((u: { email: string }) => u.email).sort(), ['admin@example.com', 'dev@example.com']);
  const dup = await t.request('POST', '/users', { body: { email: 'DEV@example.com' } });
  assert.equal(dup.status, 422);
});

test('Accept header variants are all served', async () => {
  for (const accept of ['application/vnd.heroku+json; version=3', 'application/vnd.heroku+json; version=3.sdk', 'application/vnd.heroku+json; version=3.run-inside', 'application/json']) {
    const r = await t.request('GET', '/account', { headers: { Accept: accept } });
    assert.equal(r.status, 200, accept);
  }
  const auths = await t.request('GET', '/oauth/authorizations');
  assert.deepEqual(auths.body, []);
});

test('bootstrap: a generated admin token is saved with mode 0600 and printed once; SLIPWAY_ADMIN_TOKEN is registered later', async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-boot-'));
  const store = await createStore({ databaseUrl: 'sqlite::memory:', dataDir, logger: silentLogger });
  try {
    const first = await bootstrapAdmin({ store, config: testConfig({ dataDir }), logger: silentLogger });
    assert.ok(first.created && first.token);
    assert.equal((await readFile(first.tokenFile, 'utf8')).trim(), first.token);
    assert.equal((await stat(first.tokenFile)).mode & 0o777, 0o600);
    assert.ok(await store.tokens.findByHash(hashToken(first.token)));
    const again = await bootstrapAdmin({ store, config: testConfig({ dataDir }), logger: silentLogger });
    assert.equal(again.created, false);
    assert.equal(again.token, undefined);
    const env = 'an-admin-token-from-the-environment';
    await bootstrapAdmin({ store, config: testConfig({ dataDir, adminToken: env }), logger: silentLogger });
    const registered = await store.tokens.findByHash(hashToken(env));
    assert.equal(registered?.userId, first.admin.id);
    assert.equal((await store.users.list()).length, 1);
  } finally {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('rate limit: RateLimit-Remaining counts down, then 429 rate_limit', async () => {
  const limited = await startTestApi({ config: { apiRateLimit: 3 } });
  try {
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await limited.request('GET', '/account');
      assert.equal(r.status, 200);
      seen.push(r.headers.get('ratelimit-remaining') ?? '');
    }
    assert.deepEqual(seen, ['2', '1', '0']);
    const over = await limited.request('GET', '/account');
    assert.equal(over.status, 429);
    assert.equal(over.body.id, 'rate_limit');
    // The next token comes 1/3 of an hour after the bucket ran dry: Retry-After in whole seconds.
    const retry = Number(over.headers.get('retry-after'));
    assert.ok(Number.isInteger(retry) && retry > 1100 && retry <= 1200, `Retry-After ${over.headers.get('retry-after')}`);
  } finally {
    await limited.close();
  }
});
