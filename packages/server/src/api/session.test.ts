/** Dashboard sign-in over real HTTP: passwords, the session cookie, CSRF, tokens. */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../../test/helpers/api-server.js';
import { hashToken } from '../auth/index.js';

let t: TestApi;
before(async () => { t = await startTestApi(); });
after(async () => { await t.close(); });

const PASSWORD = 'tr0ub4dor&3-long';

async function signIn(email: string, password: string) {
  const r = await t.request('POST', '/session', { token: null, body: { email, password } });
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0];
  return { ...r, cookie, csrf: r.body.csrf_token as string };
}

test('users:add with a password, then sign-in sets an HttpOnly SameSite=Strict cookie and a CSRF token', async () => {
  const created = await t.request('POST', '/users', { body: { email: 'dash@example.com', password: PASSWORD } });
  assert.equal(created.status, 201);
  const s = await signIn('Dash@Example.com', PASSWORD);
  assert.equal(s.status, 201);
  assert.match(s.headers.get('set-cookie') ?? '', /^slipway_session=slw_[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
  assert.equal(s.body.user.email, 'dash@example.com');
  assert.ok(s.csrf.length > 20);
  const me = await t.request('GET', '/account', { token: null, headers: { Cookie: s.cookie } });
  assert.equal(me.status, 200);
  assert.equal(me.body.email, 'dash@example.com');
  const again = await t.request('GET', '/session', { token: null, headers: { Cookie: s.cookie } });
  assert.equal(again.body.csrf_token, s.csrf);
  // the session token is hashed at rest like any token
  const token = s.cookie.split('=')[1];
  assert.ok(await t.store.tokens.findByHash(hashToken(token)));
});

test('a wrong password, an unknown email and a token-only user are all refused with the same error', async () => {
  await t.user('tokenonly@example.com');
  for (const [email, password] of [['dash@example.com', 'wrong password'], ['nobody@example.com', PASSWORD], ['tokenonly@example.com', PASSWORD]]) {
    const r = await signIn(email, password);
    assert.equal(r.status, 401, email);
    assert.deepEqual(r.body, { id: 'unauthorized', message: 'Invalid email or password.' });
    assert.equal(r.headers.get('set-cookie'), null);
  }
  const bad = await t.request('POST', '/users', { body: { email: 'weak@example.com', password: 'short' } });
  assert.equal(bad.status, 422);
  assert.equal(bad.body.id, 'invalid_params');
});

test('repeated wrong passwords lock the email (429) before any password is checked; others still sign in', async () => {
  await t.request('POST', '/users', { body: { email: 'guessed@example.com', password: PASSWORD } });
  for (let i = 0; i < 10; i++) assert.equal((await signIn('guessed@example.com', `guess-${i}-password`)).status, 401);
  const locked = await signIn('guessed@example.com', PASSWORD);
  assert.equal(locked.status, 429);
  assert.equal(locked.body.id, 'rate_limit');
  assert.match(locked.body.message, /Too many failed sign-ins/);
  assert.equal((await signIn('dash@example.com', PASSWORD)).status, 201);
});

test('cookie requests that change state need the CSRF header; Bearer requests do not', async () => {
  const s = await signIn('dash@example.com', PASSWORD);
  const refused = await t.request('POST', '/apps', { token: null, headers: { Cookie: s.cookie }, body: { name: 'csrf-refused' } });
  assert.equal(refused.status, 403);
  assert.equal(refused.body.id, 'forbidden');
  assert.match(refused.body.message, /CSRF/);
  assert.equal(await t.store.apps.findByName('csrf-refused'), undefined);
  const wrong = await t.request('POST', '/apps', { token: null, headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf + 'x' }, body: { name: 'csrf-wrong' } });
  assert.equal(wrong.status, 403);
  const cross = await t.request('POST', '/apps', { token: null, headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf, Origin: 'http://evil.example' }, body: { name: 'csrf-cross' } });
  assert.equal(cross.status, 403);
  const ok = await t.request('POST', '/apps', { token: null, headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf }, body: { name: 'csrf-ok' } });
  assert.equal(ok.status, 201);
  const bearer = await t.request('POST', '/apps', { body: { name: 'bearer-ok' } });
  assert.equal(bearer.status, 201);
});

test('sign-out ends the session', async () => {
  const s = await signIn('dash@example.com', PASSWORD);
  assert.equal((await t.request('DELETE', '/session', { token: null, headers: { Cookie: s.cookie } })).status, 403, 'sign-out needs the token too');
  const out = await t.request('DELETE', '/session', { token: null, headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf } });
  assert.equal(out.status, 200);
  assert.match(out.headers.get('set-cookie') ?? '', /Max-Age=0/);
  assert.equal((await t.request('GET', '/account', { token: null, headers: { Cookie: s.cookie } })).status, 401);
  assert.equal((await t.request('GET', '/session', { token: null, headers: { Cookie: s.cookie } })).status, 401);
});

test('passwords: users change their own with the current one; admins set anyone\'s', async () => {
  const token = await t.user('changer@example.com');
  assert.equal((await t.request('PUT', '/users/~/password', { token, body: { password: 'first-password' } })).status, 200, 'no password yet: none needed');
  const noCurrent = await t.request('PUT', '/users/~/password', { token, body: { password: 'second-password' } });
  assert.equal(noCurrent.status, 422);
  assert.match(noCurrent.body.message, /Current password/);
  assert.equal((await t.request('PUT', '/users/~/password', { token, body: { password: 'second-password', current_password: 'first-password' } })).status, 200);
  assert.equal((await signIn('changer@example.com', 'second-password')).status, 201);
  assert.equal((await t.request('PUT', '/users/dash@example.com/password', { token, body: { password: 'hijacked-password' } })).status, 403);
  assert.equal((await t.request('PUT', '/users/changer@example.com/password', { body: { password: 'admin-set-password' } })).status, 200);
  assert.equal((await signIn('changer@example.com', 'admin-set-password')).status, 201);
  assert.equal((await t.request('PUT', '/users/nobody@example.com/password', { body: { password: 'whatever-password' } })).status, 404);
});

test('the account\'s API tokens: listed without values, regenerated once (old ones stop working)', async () => {
  const old = await t.user('rotate@example.com');
  const list = await t.request('GET', '/account/tokens', { token: old });
  assert.equal(list.body.length, 1);
  assert.deepEqual(Object.keys(list.body[0]).sort(), ['created_at', 'description', 'id', 'last_used_at']);
  const refused = await t.request('POST', '/account/tokens', { token: old, body: { description: 'x' } });
  assert.equal(refused.status, 422, 'no fields are taken; a refused request keeps the old token');
  assert.equal((await t.request('GET', '/account', { token: old })).status, 200);
  const fresh = await t.request('POST', '/account/tokens', { token: old });
  assert.equal(fresh.status, 201);
  assert.match(fresh.body.token, /^slw_/);
  assert.equal((await t.request('GET', '/account', { token: old })).status, 401);
  assert.equal((await t.request('GET', '/account', { token: fresh.body.token })).body.email, 'rotate@example.com');
});
