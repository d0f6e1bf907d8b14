import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, passwordProblem, SCRYPT_N, SCRYPT_R, verifyPassword } from './passwords.js';

test('a hash is salted scrypt with memory-hard parameters, and verifies only its password', async () => {
  const a = await hashPassword('correct horse battery');
  const b = await hashPassword('correct horse battery');
  assert.notEqual(a, b, 'salted');
  const [kdf, n, r, p, salt, key] = a.split('$');
  assert.equal(kdf, 'scrypt');
  assert.equal(Number(n), SCRYPT_N);
  assert.ok(128 * Number(n) * Number(r) >= 32 * 1024 * 1024, 'at least 32 MiB per hash');
  assert.equal(Number(r), SCRYPT_R);
  assert.equal(Number(p), 1);
  assert.equal(Buffer.from(salt, 'base64url').length, 16);
  assert.equal(Buffer.from(key, 'base64url').length, 32);
  assert.equal(await verifyPassword('correct horse battery', a), true);
  assert.equal(await verifyPassword('correct horse battery', b), true);
  assert.equal(await verifyPassword('correct horse batterY', a), false);
  assert.equal(await verifyPassword('', a), false);
  assert.ok(!a.includes('correct'));
});

test('hashes with other parameters still verify (they are read from the string)', async () => {
  const { scryptSync } = await import('node:crypto');
  const salt = Buffer.from('0123456789abcdef');
  const key = scryptSync('older password', salt, 32, { N: 1024, r: 8, p: 1 });
  const stored = `scrypt$1024$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
  assert.equal(await verifyPassword('older password', stored), true);
  assert.equal(await verifyPassword('other password', stored), false);
});

test('unreadable or hostile hashes are a mismatch, not a crash', async () => {
  for (const stored of ['', 'plain', 'bcrypt$1$2$3$4$5', 'scrypt$x$8$1$AAAA$AAAA', `scrypt$${2 ** 30}$8$1$AAAA$${'A'.repeat(43)}`, 'scrypt$1024$8$1$AAAA$AAAA']) {
    assert.equal(await verifyPassword('whatever', stored), false, stored);
  }
});

test('password rules: 8 to 1024 characters', () => {
  assert.match(passwordProblem('short') ?? '', /at least 8/);
  assert.equal(passwordProblem('12345678'), undefined);
  assert.match(passwordProblem('x'.repeat(1025)) ?? '', /at most 1024/);
});
