import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDeadlines, resolutionFor } from './deadlines.js';
import { until } from './test-support.js';

test('deadlines fire once when their time has passed, never when removed or moved on, and not after close', async () => {
  let now = 0;
  const clock = createDeadlines({ resolutionMs: 5, now: () => now });
  const fired: string[] = [];
  const a = { at: 100, fire: () => fired.push('a') };
  const b = { at: 100, fire: () => fired.push('b') };
  const c = { at: 100, fire: () => fired.push('c') };
  clock.add(a);
  clock.add(b);
  clock.add(c);
  clock.remove(b);
  c.at = 1_000; // an idle window restarted by activity
  now = 150;
  await until(() => fired.length === 1, 'a to fire');
  assert.deepEqual(fired, ['a']);
  assert.equal(clock.size, 1);
  clock.close();
  now = 2_000;
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.deepEqual(fired, ['a']);
});

test('the tick is a tenth of the shortest window, between 5 and 250 ms', () => {
  assert.equal(resolutionFor([30_000, 55_000, 5_000]), 250);
  assert.equal(resolutionFor([200, 55_000]), 20);
  assert.equal(resolutionFor([10]), 5);
});
