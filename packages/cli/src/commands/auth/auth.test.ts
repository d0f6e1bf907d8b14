import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startMockApi, type MockApi } from '../../testing/mock-api.js';
import { runCommand } from '../../testing/run-cli.js';

let api: MockApi;
let home: string;
beforeEach(async () => {
  api = await startMockApi();
  home = await mkdtemp(path.join(os.tmpdir(), 'slipway-home-'));
});
afterEach(async () => {
  await api.close();
  await rm(home, { recursive: true, force: true });
});

describe('login, auth:whoami, logout', () => {
  it('verifies a prompted token, saves it to ~/.netrc (0600), then uses it, then forgets it', async () => {
    const host = new URL(api.url).host;
    api.expect('GET', '/account', { body: { id: 'u1', email: 'admin@example.com' } });
    const login = await runCommand(['login'], { apiUrl: api.url, apiKey: undefined, home, stdin: 'admin@example.com\nsecret-token-1\n' });
    assert.equal(login.code, 0, login.stderr);
    assert.equal(login.stdout, 'Logged in as admin@example.com\n');
    assert.equal(login.stderr, 'Email: Token: ');
    assert.equal(api.requests[0].headers.authorization, 'Bearer secret-token-1');
    const netrc = path.join(home, '.netrc');
    assert.equal((await stat(netrc)).mode & 0o777, 0o600);
    assert.equal(await readFile(netrc, 'utf8'), `machine ${host}\n  login admin@example.com\n  password secret-token-1\n`);

    api.expect('GET', '/account', { body: { id: 'u1', email: 'admin@example.com' } });
    const who = await runCommand(['auth:whoami'], { apiUrl: api.url, apiKey: undefined, home });
    assert.equal(who.stdout, 'admin@example.com\n');
    assert.equal(api.requests[1].headers.authorization, 'Bearer secret-token-1');

    const out = await runCommand(['logout'], { apiUrl: api.url, apiKey: undefined, home });
    assert.equal(out.stderr, 'Logging out... done\n');
    assert.equal(await readFile(netrc, 'utf8'), '');
    const after = await runCommand(['whoami'], { apiUrl: api.url, apiKey: undefined, home });
    assert.deepEqual(after, { code: 100, stdout: '', stderr: 'Error: not logged in\n' });
    api.assertDone();
  });

  it('does not save a token the API refuses', async () => {
    api.expect('GET', '/account', { status: 401, body: { id: 'unauthorized', message: 'Invalid credentials provided.' } });
    const r = await runCommand(['login', '--token', 'bad-token'], { apiUrl: api.url, apiKey: undefined, home });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^Error: Invalid credentials provided\./);
    await assert.rejects(stat(path.join(home, '.netrc')));
    api.assertDone();
  });

  it('maps a 401 on whoami to `not logged in`, exit 100', async () => {
    api.expect('GET', '/account', { status: 401, body: { id: 'unauthorized', message: 'Invalid credentials provided.' } });
    const r = await runCommand(['auth:whoami'], { apiUrl: api.url, apiKey: 'stale', home });
    assert.deepEqual(r, { code: 100, stdout: '', stderr: 'Error: not logged in\n' });
  });
});

describe('users:add', () => {
  it('POSTs /users and prints the new token', async () => {
    api.expect('POST', '/users', { status: 201, body: { id: 'u2', email: 'dev@example.com', token: 'new-user-token' } });
    const r = await runCommand(['users:add', 'dev@example.com'], { apiUrl: api.url });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(api.requests[0].body, { email: 'dev@example.com' });
    assert.equal(r.stdout, 'new-user-token\n');
    assert.equal(r.stderr, 'Creating user dev@example.com... done\n');
    api.assertDone();
  });

  it('--password asks for a dashboard password and sends it', async () => {
    api.expect('POST', '/users', { status: 201, body: { id: 'u3', email: 'pw@example.com', token: 'pw-user-token' } });
    const r = await runCommand(['users:add', 'pw@example.com', '--password'], { apiUrl: api.url, stdin: 'a-long-password\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(api.requests[0].body, { email: 'pw@example.com', password: 'a-long-password' });
    assert.equal(r.stderr, 'Password: Creating user pw@example.com... done\n');
    api.assertDone();
  });
});

describe('users:password', () => {
  it('sets another user\'s password (admin): PUT /users/EMAIL/password', async () => {
    api.expect('PUT', '/users/dev%40example.com/password', { body: { id: 'u2', email: 'dev@example.com' } });
    const r = await runCommand(['users:password', 'dev@example.com'], { apiUrl: api.url, stdin: 'new-password-1\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(api.requests[0].body, { password: 'new-password-1' });
    assert.equal(r.stderr, 'New password: Setting password for dev@example.com... done\n');
    api.assertDone();
  });

  it('changes your own with the current one, and shows the API\'s refusal on one line', async () => {
    api.expect('PUT', '/users/~/password', { body: { id: 'u1', email: 'me@example.com' } });
    const r = await runCommand(['users:password'], { apiUrl: api.url, stdin: 'old-password\nnew-password-2\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(api.requests[0].body, { current_password: 'old-password', password: 'new-password-2' });
    api.expect('PUT', '/users/~/password', { status: 422, body: { id: 'invalid_params', message: 'Password must be at least 8 characters long.' } });
    const bad = await runCommand(['users:password'], { apiUrl: api.url, stdin: '\nshort\n' });
    assert.notEqual(bad.code, 0);
    assert.deepEqual(api.requests[1].body, { password: 'short' });
    assert.match(bad.stderr, /Error: Password must be at least 8 characters long\.\n$/);
    api.assertDone();
  });
});
