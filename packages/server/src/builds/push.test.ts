import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decidePush } from './push.js';

const A = 'a'.repeat(40);
const Z = '0'.repeat(40);

test('a push to main or master builds its new commit', () => {
  assert.deepEqual(decidePush([{ old: Z, new: A, ref: 'refs/heads/main' }]), { kind: 'build', sha: A, ref: 'refs/heads/main' });
  assert.equal(decidePush([{ old: A, new: 'b'.repeat(40), ref: 'refs/heads/master' }]).kind, 'build');
});

test('other branches and tags are refused with a message', () => {
  const d = decidePush([{ old: Z, new: A, ref: 'refs/heads/feature' }]);
  assert.equal(d.kind, 'reject');
  assert.match((d as { message: string }).message, /only main or master/);
  assert.equal(decidePush([{ old: Z, new: A, ref: 'refs/tags/v1' }]).kind, 'reject');
  assert.equal(decidePush([{ old: Z, new: A, ref: 'refs/heads/main' }, { old: Z, new: A, ref: 'refs/heads/x' }]).kind, 'reject');
});

test('deleting main is refused', () => {
  const d = decidePush([{ old: A, new: Z, ref: 'refs/heads/main' }]);
  assert.equal(d.kind, 'reject');
  assert.match((d as { message: string }).message, /Deleting main is not allowed/);
});

test('main and master together are refused; nothing pushed builds nothing', () => {
  assert.equal(decidePush([{ old: Z, new: A, ref: 'refs/heads/main' }, { old: Z, new: A, ref: 'refs/heads/master' }]).kind, 'reject');
  assert.equal(decidePush([]).kind, 'accept-without-build');
});
