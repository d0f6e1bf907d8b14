import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenFromAuthorization } from './credentials.js';
import { generateToken, hashToken } from './tokens.js';

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

test('bearer and basic (any username, password = token)', () => {
  assert.equal(tokenFromAuthorization('Bearer abc123'), 'abc123');
  assert.equal(tokenFromAuthorization('bearer abc123'), 'abc123');
  assert.equal(tokenFromAuthorization(basic('heroku', 'tok')), 'tok');
  assert.equal(tokenFromAuthorization(basic('', 'tok:with:colons')), 'tok:with:colons');
});

test('missing or malformed credentials give nothing', () => {
  for (const h of [undefined, '', 'Bearer', 'Bearer   ', 'Token abc', basic('user', ''), 'Basic !!!', 'Basic ' + Buffer.from('nocolon').toString('base64')]) {
    assert.equal(tokenFromAuthorization(h), undefined, String(h));
  }
});

test('tokens are random and hashed with sha256', () => {
  const a = generateToken();
  assert.match(a, /^slw_[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, generateToken());
  assert.match(hashToken(a), /^[0-9a-f]{64}$/);
  assert.equal(hashToken('x'), '2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881');
});
