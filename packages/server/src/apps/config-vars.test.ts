import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configBytes, configPatchProblem, configTotalProblem, envKeyProblem, envValueProblem, MAX_CONFIG_TOTAL_BYTES } from './config-vars.js';

test('key rules: Heroku\'s pattern, no leading double underscore, at most 256 bytes', () => {
  for (const ok of ['A', '_A', 'DATABASE_URL', 'a1', 'K'.repeat(256)]) assert.equal(envKeyProblem(ok), undefined, ok);
  for (const bad of ['1A', 'A-B', 'A B', '', 'A\u0000', '__proto__', '__X', 'K'.repeat(257), 'É']) assert.ok(envKeyProblem(bad), JSON.stringify(bad));
});

test('value rules: no NUL, at most 32 KB each', () => {
  assert.equal(envValueProblem('A', 'x'.repeat(32 * 1024)), undefined);
  assert.match(envValueProblem('A', 'a\u0000')!.message, /NUL/);
  assert.match(envValueProblem('A', 'x'.repeat(32 * 1024 + 1))!.message, /longer than 32768/);
  assert.equal(configPatchProblem({ A: null, B: 'ok' }), undefined);
  assert.equal(configPatchProblem({ ['A\u0000']: null })?.field, 'A\u0000');
});

test('the 32 KB total counts keys and values after the patch; shrinking is always allowed', () => {
  const half = 'x'.repeat(MAX_CONFIG_TOTAL_BYTES / 2);
  assert.equal(configBytes({ AB: 'cd', É: 'é' }), 4 + 4);
  assert.equal(configTotalProblem({}, { A: half }), undefined);
  assert.match(configTotalProblem({ A: half }, { B: half })!.message, /32768 bytes \(32 KB\) in total.*32770 bytes/);
  // Replacing a value counts once; removing makes room.
  assert.equal(configTotalProblem({ A: half }, { A: half + 'y' }), undefined);
  assert.equal(configTotalProblem({ A: half, B: half }, { B: null }), undefined);
  // An app already over the limit (set before the limit existed) may shrink but not grow.
  const over = { A: half, B: half, C: 'x' };
  assert.equal(configTotalProblem(over, { C: null }), undefined);
  assert.ok(configTotalProblem(over, { D: 'y' }));
});
