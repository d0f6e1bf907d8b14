import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideRuntime } from './choose-driver.js';

const usable = { usable: true, cgroupVersion: 1 } as const;
const unusable = { usable: false, reason: 'not running as root' } as const;

test('auto picks runc when the host can run it, else process with the reason', () => {
  assert.deepEqual(decideRuntime('auto', usable), { driver: 'runc' });
  assert.deepEqual(decideRuntime('auto', unusable), { driver: 'process', reason: 'not running as root' });
});

test('an explicit runtime is obeyed or refused, never silently replaced', () => {
  assert.deepEqual(decideRuntime('process', usable), { driver: 'process' });
  assert.deepEqual(decideRuntime('runc', usable), { driver: 'runc' });
  const refused = decideRuntime('runc', unusable);
  assert.ok('error' in refused && /not running as root/.test(refused.error));
  assert.ok('error' in decideRuntime('swarm', usable));
});
