import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSignInThrottle, MAX_FAILURES, REFILL_MS } from './sign-in-throttle.js';

test('ten failures lock an email (any case) until the bucket refills; others are unaffected', () => {
  let t = 0;
  const th = createSignInThrottle({ now: () => t });
  for (let i = 0; i < MAX_FAILURES; i++) {
    assert.equal(th.allowed('dev@example.com'), true, `attempt ${i + 1}`);
    th.failed('Dev@Example.com');
  }
  assert.equal(th.allowed('dev@example.com'), false);
  assert.equal(th.allowed('other@example.com'), true);
  t += REFILL_MS / MAX_FAILURES - 1;
  assert.equal(th.allowed('dev@example.com'), false, 'not yet one attempt back');
  t += 2;
  assert.equal(th.allowed('dev@example.com'), true, 'one attempt back');
  th.failed('dev@example.com');
  assert.equal(th.allowed('dev@example.com'), false);
  t += REFILL_MS;
  assert.equal(th.allowed('dev@example.com'), true);
});

test('a success resets the email', () => {
  const th = createSignInThrottle({ now: () => 0 });
  for (let i = 0; i < MAX_FAILURES - 1; i++) th.failed('a@example.com');
  th.succeeded('a@example.com');
  for (let i = 0; i < MAX_FAILURES - 1; i++) th.failed('a@example.com');
  assert.equal(th.allowed('a@example.com'), true);
});
