import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { stableId } from './stable-id.js';

test('a version-5 UUID, the same for the same name, different for another', () => {
  const id = stableId('stack', 'heroku-24');
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(stableId('stack', 'heroku-24'), id);
  assert.notEqual(stableId('region', 'heroku-24'), id);
  assert.notEqual(stableId('stack', 'heroku-22'), id);
});

test('the SHA-1 inside agrees with node:crypto (RFC 9562 name-based UUID)', () => {
  const ns = Buffer.from('6ba7b8109dad11d180b400c04fd430c8', 'hex');
  const digest = createHash('sha1').update(Buffer.concat([ns, Buffer.from('slipway:size:standard-1x')])).digest();
  digest[6] = (digest[6] & 0x0f) | 0x50;
  digest[8] = (digest[8] & 0x3f) | 0x80;
  const hex = digest.subarray(0, 16).toString('hex');
  assert.equal(stableId('size', 'standard-1x'), `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`);
});
