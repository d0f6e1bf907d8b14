/**
 * Issue 19, findings 2 and 7: input that was accepted and then broke the app later. The whole
 * platform runs in this process (real store, dyno manager with the process driver, builder, API).
 * Config with a NUL byte (every dyno start then failed), config over Heroku's 32 KB total (150
 * values of 30 KB were accepted, then `argument list too long`), one-off dynos with a NUL in
 * `command` or `env` (201, never started), a `__proto__` key (silently dropped with a 200), and the
 * smaller ones: a 1,000-character email, drain URLs with CR/LF or 64 KB long, a 10,000-character
 * config key.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startInProcessPlatform, type InProcessPlatform } from '../helpers/in-process-platform.js';
import { rawRequest } from '../helpers/raw-http.js';

const APP = 'valid-a';
let p: InProcessPlatform;
const call = (method: string, path: string, body?: unknown) => rawRequest(p.url, method, path, { token: p.token, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
const config = async () => (await call('GET', `/apps/${APP}/config-vars`)).json;
const releases = async () => (await call('GET', `/apps/${APP}/releases`)).json.length;

function assert422(r: { status: number; json: { id?: string; message?: string } }, re: RegExp, what: string): void {
  assert.equal(r.status, 422, `${what}: ${r.status} ${JSON.stringify(r.json)}`);
  assert.equal(r.json.id, 'invalid_params', what);
  assert.match(r.json.message ?? '', re, what);
}

before(async () => {
  p = await startInProcessPlatform();
  assert.equal((await call('POST', '/apps', { name: APP })).status, 201);
  assert.equal((await call('PATCH', `/apps/${APP}/config-vars`, { KEEP: 'me' })).status, 200);
});
after(async () => { await p?.stop(); });

test('config: a NUL byte in a value or key, a `__proto__` key, reserved and overlong keys are a 422 and change nothing', async () => {
  const before = [await config(), await releases()];
  assert422(await call('PATCH', `/apps/${APP}/config-vars`, { BAD: 'a\u0000b' }), /NUL/, 'NUL in a value');
  assert422(await call('PATCH', `/apps/${APP}/config-vars`, { 'B\u0000AD': 'x' }), /Invalid config var name/, 'NUL in a key');
  assert422(await call('PATCH', `/apps/${APP}/config-vars`, '{"__proto__": "x", "OK": "1"}'), /__proto__/, '__proto__ key');
  assert422(await call('PATCH', `/apps/${APP}/config-vars`, '{"__proto__": {"polluted": "1"}}'), /__proto__/, '__proto__ object');
  assert422(await call('PATCH', `/apps/${APP}/config-vars`, { __RESERVED: 'x' }), /double underscore/, 'reserved key');
  assert422(await call('PATCH', `/apps/${APP}/config-vars`, { ['K'.repeat(10_000)]: 'x' }), /longer than 256 bytes/, '10,000-character key');
  assert.deepEqual([await config(), await releases()], before);
});

test('config: 32 KB in total, keys and values together; the 422 names the limit and nothing is stored', async () => {
  const value = 'v'.repeat(30 * 1024);
  assert.equal((await call('PATCH', `/apps/${APP}/config-vars`, { BIG_1: value })).status, 200);
  const before = [await config(), await releases()];
  const r = await call('PATCH', `/apps/${APP}/config-vars`, { BIG_2: value });
  assert422(r, /32768 bytes \(32 KB\) in total/, 'second 30 KB value');
  assert.deepEqual([await config(), await releases()], before);
  // Many values in one patch are counted together too.
  const many = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`MANY_${i}`, 'x'.repeat(1024)]));
  assert422(await call('PATCH', `/apps/${APP}/config-vars`, many), /in total/, '150 values of 1 KB');
  // Removing is always allowed, even when the app is over the limit.
  assert.equal((await call('PATCH', `/apps/${APP}/config-vars`, { BIG_1: null })).status, 200);
});

test('one-off dynos: a NUL in `command` or `env`, bad env names and oversized env are a 422', async () => {
  const before = (await call('GET', `/apps/${APP}/dynos`)).json;
  assert422(await call('POST', `/apps/${APP}/dynos`, { command: 'echo a\u0000b' }), /NUL/, 'NUL in command');
  assert422(await call('POST', `/apps/${APP}/dynos`, { command: 'env', env: { FOO: 'a\u0000b' } }), /NUL/, 'NUL in env');
  assert422(await call('POST', `/apps/${APP}/dynos`, { command: 'env', env: { 'BAD NAME': 'x' } }), /Invalid env name/, 'bad env name');
  assert422(await call('POST', `/apps/${APP}/dynos`, '{"command": "env", "env": {"__proto__": "x"}}'), /__proto__/, '__proto__ env');
  const big = Object.fromEntries(Array.from({ length: 3 }, (_, i) => [`E${i}`, 'x'.repeat(16 * 1024)]));
  assert422(await call('POST', `/apps/${APP}/dynos`, { command: 'env', env: big }), /in total/, '48 KB env');
  assert.deepEqual((await call('GET', `/apps/${APP}/dynos`)).json, before);
});

test('smaller ones: a 1,000-character email, drain URLs with CR/LF/NUL or 64 KB long are a 422', async () => {
  const email = `${'a'.repeat(990)}@example.com`;
  const user = await call('POST', '/users', { email });
  assert422(user, /email/, '1,000-character email');
  assert.equal((await call('GET', '/users')).json.some((u: { email: string }) => u.email === email), false);
  const drains = (await call('GET', `/apps/${APP}/log-drains`)).json;
  for (const [url, re] of [
    ['https://logs.example.com/a\r\nX-Injected: 1', /control characters/],
    ['https://logs.example.com/\nb', /control characters/],
    ['syslog://logs.example.com:514/\u0000', /control characters/],
    [`https://logs.example.com/${'a'.repeat(64 * 1024)}`, /longer than 2048/],
  ] as [string, RegExp][]) {
    assert422(await call('POST', `/apps/${APP}/log-drains`, { url }), re, `drain ${JSON.stringify(url.slice(0, 60))}`);
  }
  assert.deepEqual((await call('GET', `/apps/${APP}/log-drains`)).json, drains);
});
