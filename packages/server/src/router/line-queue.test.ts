import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineQueue } from './line-queue.js';

const text = (q: LineQueue, n = Infinity) => q.peek(n).body.toString('utf8');

test('lines come out in order, newline-terminated, across growth and compaction, UTF-8 intact', () => {
  const q = new LineQueue(1000, 16);
  const expected: string[] = [];
  for (let i = 0; i < 300; i++) {
    const line = `line ${i} ${'é→'.repeat(i % 7)}`;
    q.push(line);
    expected.push(line);
    if (i % 50 === 49) {
      const { body, lines, upTo } = q.peek(20);
      assert.equal(body.toString('utf8'), expected.slice(0, 20).map((l) => `${l}\n`).join(''));
      assert.equal(lines, 20);
      q.release(upTo);
      expected.splice(0, 20);
    }
  }
  assert.equal(q.length, expected.length);
  assert.equal(text(q), expected.map((l) => `${l}\n`).join(''));
});

test('past the bound the oldest lines are dropped, also while a batch is out for delivery', () => {
  const q = new LineQueue(3);
  for (const l of ['a', 'b', 'c']) assert.equal(q.push(l), false);
  const out = q.peek(2);
  assert.equal(out.body.toString(), 'a\nb\n');
  assert.equal(q.push('d'), true); // drops a (out for delivery)
  assert.equal(q.push('e'), true); // drops b
  q.release(out.upTo); // a and b were delivered: nothing more to forget
  assert.equal(text(q), 'c\nd\ne\n');
  q.release(q.peek(10).upTo);
  assert.equal(q.length, 0);
  assert.equal(text(q), '');
  q.push('f');
  assert.equal(text(q), 'f\n');
});
