import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clearedSessionCookie, csrfProblem, csrfToken, sessionAlive, sessionCookie, sessionFromCookie, SESSION_IDLE_MS, SESSION_MAX_AGE_MS,
} from './sessions.js';

const TOKEN = 'slw_abcdefghijklmnopqrstuvwxyz0123456789-_ABCDEFG';
const req = (method: string, headers: Record<string, string> = {}) => ({ method, headers: { host: 'localhost:5000', ...headers } });

test('the cookie is HttpOnly, SameSite=Strict, Secure on TLS, and read back from a Cookie header', () => {
  const c = sessionCookie(TOKEN, { secure: false });
  assert.match(c, /^slipway_session=slw_[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
  assert.match(sessionCookie(TOKEN, { secure: true }), /; Secure$/);
  assert.match(clearedSessionCookie({ secure: false }), /Max-Age=0/);
  assert.equal(sessionFromCookie(`a=1; slipway_session=${TOKEN}; b=2`), TOKEN);
  assert.equal(sessionFromCookie('a=1'), undefined);
  assert.equal(sessionFromCookie(undefined), undefined);
  assert.equal(sessionFromCookie('slipway_session=<script>'), undefined);
});

test('the CSRF token is bound to the session and not the session token itself', () => {
  const t = csrfToken(TOKEN);
  assert.equal(t, csrfToken(TOKEN));
  assert.notEqual(t, csrfToken(TOKEN + 'x'));
  assert.ok(!t.includes(TOKEN) && t.length >= 40);
});

test('reads pass without the token; every state-changing method needs it', () => {
  for (const m of ['GET', 'HEAD', 'OPTIONS']) assert.equal(csrfProblem(req(m), TOKEN), undefined, m);
  for (const m of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    assert.match(csrfProblem(req(m), TOKEN) ?? '', /CSRF/, m);
    assert.match(csrfProblem(req(m, { 'x-csrf-token': 'wrong' }), TOKEN) ?? '', /CSRF/, m);
    assert.match(csrfProblem(req(m, { 'x-csrf-token': csrfToken('slw_other_session_token') }), TOKEN) ?? '', /CSRF/, m);
    assert.equal(csrfProblem(req(m, { 'x-csrf-token': csrfToken(TOKEN) }), TOKEN), undefined, m);
  }
});

test('a request from another origin is refused even with the token', () => {
  const ok = { 'x-csrf-token': csrfToken(TOKEN) };
  assert.equal(csrfProblem(req('POST', { ...ok, origin: 'http://localhost:5000' }), TOKEN), undefined);
  assert.match(csrfProblem(req('POST', { ...ok, origin: 'http://evil.example' }), TOKEN) ?? '', /Cross-origin/);
  assert.match(csrfProblem(req('GET', { origin: 'http://localhost:5001' }), TOKEN) ?? '', /Cross-origin/);
  assert.match(csrfProblem(req('POST', { ...ok, origin: 'null' }), TOKEN) ?? '', /Cross-origin/);
});

test('sessions end after the idle window or the maximum age', () => {
  const start = new Date('2030-01-01T00:00:00Z');
  const at = (ms: number) => new Date(start.getTime() + ms);
  assert.equal(sessionAlive({ createdAt: start, lastUsedAt: null }, at(SESSION_IDLE_MS)), true);
  assert.equal(sessionAlive({ createdAt: start, lastUsedAt: null }, at(SESSION_IDLE_MS + 1)), false);
  assert.equal(sessionAlive({ createdAt: start, lastUsedAt: at(SESSION_MAX_AGE_MS - 1000) }, at(SESSION_MAX_AGE_MS)), true);
  assert.equal(sessionAlive({ createdAt: start, lastUsedAt: at(SESSION_MAX_AGE_MS) }, at(SESSION_MAX_AGE_MS + 1)), false);
});
