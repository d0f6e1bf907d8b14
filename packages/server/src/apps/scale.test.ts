import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity, planScale, scaleLine, MAX_QUANTITY } from './scale.js';
import { planFormationSync } from './formation-sync.js';
import { configChangeDescription, configPatchProblem } from './config-vars.js';

const formation = [
  { type: 'web', quantity: 2, size: 'Standard-1X' },
  { type: 'worker', quantity: 1, size: 'standard-1x' },
];

test('quantities: absolute ints and strings, relative strings', () => {
  assert.deepEqual(parseQuantity(3), { relative: false, value: 3 });
  assert.deepEqual(parseQuantity('3'), { relative: false, value: 3 });
  assert.deepEqual(parseQuantity('+2'), { relative: true, value: 2 });
  assert.deepEqual(parseQuantity('-1'), { relative: true, value: -1 });
  for (const bad of ['x', '1.5', '', '++1', 1.5]) assert.equal(parseQuantity(bad), undefined, String(bad));
});

test('absolute and relative scaling', () => {
  const plan = planScale(formation, [{ type: 'web', quantity: '+2' }, { type: 'worker', quantity: '0' }]);
  assert.deepEqual(plan, { ok: true, changes: [{ type: 'web', quantity: 4, size: 'Standard-1X' }, { type: 'worker', quantity: 0, size: 'Standard-1X' }] });
  const down = planScale(formation, [{ type: 'web', quantity: '-1' }]);
  assert.deepEqual(down, { ok: true, changes: [{ type: 'web', quantity: 1, size: 'Standard-1X' }] });
  const n = planScale(formation, [{ type: 'web', quantity: 5 }]);
  assert.deepEqual(n, { ok: true, changes: [{ type: 'web', quantity: 5, size: 'Standard-1X' }] });
});

test('two updates of one type apply in order', () => {
  const plan = planScale(formation, [{ type: 'web', quantity: '+1' }, { type: 'web', quantity: '+1' }]);
  assert.deepEqual(plan, { ok: true, changes: [{ type: 'web', quantity: 4, size: 'Standard-1X' }] });
});

test('sizes are validated and shown as Heroku displays them', () => {
  const plan = planScale(formation, [{ type: 'web', quantity: '1', size: 'standard-2x' }]);
  assert.deepEqual(plan, { ok: true, changes: [{ type: 'web', quantity: 1, size: 'Standard-2X' }] });
  const bad = planScale(formation, [{ type: 'web', size: 'huge' }]);
  assert.equal(bad.ok, false);
  if (!bad.ok) {
    assert.equal(bad.field, 'updates[0].size');
    assert.match(bad.message, /Standard-1X, Standard-2X, Performance-M/);
  }
});

test('negative results, too many dynos and unknown types are refused', () => {
  const neg = planScale(formation, [{ type: 'worker', quantity: '-2' }]);
  assert.equal(neg.ok, false);
  if (!neg.ok) assert.equal(neg.reason, 'invalid');
  const big = planScale(formation, [{ type: 'web', quantity: MAX_QUANTITY + 1 }]);
  assert.equal(big.ok, false);
  const unknown = planScale(formation, [{ type: 'clock', quantity: 1 }]);
  assert.equal(unknown.ok, false);
  if (!unknown.ok) assert.equal(unknown.reason, 'unknown_type');
});

test('the scale platform line', () => {
  assert.equal(scaleLine([{ type: 'worker', quantity: 1, size: 'standard-1x' }, { type: 'web', quantity: 3, size: 'Standard-1X' }]), 'Scaled to web@3:Standard-1X worker@1:Standard-1X');
});

test('a new slug: new web gets 1, others 0, existing keep quantity, missing types removed', () => {
  const plan = planFormationSync(
    [{ type: 'web', quantity: 3, size: 'Standard-2X', command: 'old' }, { type: 'clock', quantity: 1, size: 'Standard-1X', command: 'c' }],
    { web: 'npm start', worker: 'node worker.js' },
  );
  assert.deepEqual(plan, {
    upserts: [{ type: 'web', command: 'npm start' }, { type: 'worker', command: 'node worker.js', quantity: 0, size: 'Standard-1X' }],
    removes: ['clock'],
  });
  assert.deepEqual(planFormationSync([], { web: 'x' }).upserts, [{ type: 'web', command: 'x', quantity: 1, size: 'Standard-1X' }]);
});

test('config descriptions and key validation', () => {
  assert.equal(configChangeDescription({ FOO: '1', BAR: '2' }), 'Set FOO, BAR config vars');
  assert.equal(configChangeDescription({ FOO: null }), 'Remove FOO config vars');
  assert.equal(configChangeDescription({ A: '1', B: null }), 'Set A and remove B config vars');
  assert.equal(configPatchProblem({ GOOD_1: 'x', _x: null }), undefined);
  assert.equal(configPatchProblem({ '1BAD': 'x' })?.field, '1BAD');
  assert.equal(configPatchProblem({ 'BAD-KEY': 'x' })?.field, 'BAD-KEY');
});
