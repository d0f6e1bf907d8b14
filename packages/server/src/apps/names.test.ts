import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidAppName } from '@slipway/contract';
import { appNameProblem, generateAppName } from './names.js';

test('generated names look like Heroku\'s and are valid app names', () => {
  for (let i = 0; i < 500; i++) {
    const name = generateAppName();
    assert.match(name, /^[a-z]+-[a-z]+-\d{4}$/);
    assert.ok(isValidAppName(name), name);
  }
});

test('generation is deterministic for an injected random source', () => {
  assert.equal(generateAppName(() => 0), generateAppName(() => 0));
  assert.match(generateAppName(() => 0), /^[a-z]+-[a-z]+-1000$/);
});

test('names are validated', () => {
  for (const ok of ['abc', 'my-app-2', 'a'.repeat(30)]) assert.equal(appNameProblem(ok), undefined, ok);
  for (const bad of ['ab', 'My-App', '1app', '-app', 'app_1', 'a'.repeat(31), 'app.x', '']) assert.ok(appNameProblem(bad), bad);
});
