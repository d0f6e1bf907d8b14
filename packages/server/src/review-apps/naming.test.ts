import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidAppName } from '@slipway/contract';
import { reviewAppName } from './naming.js';

test('review app names: pipeline and branch in the app name alphabet, at most 30, long ones hashed apart', () => {
  assert.equal(reviewAppName('shop', 'feature/Login_Page'), 'shop-feature-login-page');
  assert.equal(reviewAppName('shop', '---'), 'shop-branch');
  const a = reviewAppName('a-long-pipeline-name', 'feature/very-long-branch-one');
  const b = reviewAppName('a-long-pipeline-name', 'feature/very-long-branch-two');
  assert.notEqual(a, b);
  for (const n of [a, b, reviewAppName('p', 'x'.repeat(100))]) {
    assert.ok(n.length <= 30, n);
    assert.ok(isValidAppName(n), n);
  }
});
