import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideRuntime, unisolatedNotice } from './choose-driver.js';

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
  assert.deepEqual(decideRuntime('swarm', usable), { driver: 'swarm' });
  assert.deepEqual(decideRuntime('swarm', unusable), { driver: 'swarm' }, 'swarm needs no runc on the control plane');
});

test('the loud notice: only when dynos run as processes, with why and how to fix it', () => {
  assert.equal(unisolatedNotice({ driver: 'runc' }), undefined);
  assert.equal(unisolatedNotice({ error: 'x' }), undefined);
  const fallback = unisolatedNotice(decideRuntime('auto', { usable: false, reason: 'conmon is not on PATH' }));
  assert.ok(fallback);
  assert.match(fallback, /^!{78}\n!! DYNOS ARE NOT ISOLATED/);
  assert.match(fallback, /!! Why: runc is not usable here: conmon is not on PATH\n!! Fix: npm run setup/);
  assert.match(fallback, /slipway doctor/);
  assert.ok(fallback.split('\n').length <= 8, 'a short block');
  assert.match(unisolatedNotice(decideRuntime('auto', unusable)) ?? '', /Fix: start the platform as root/);
  assert.match(unisolatedNotice(decideRuntime('process', usable)) ?? '', /Why: SLIPWAY_RUNTIME=process\n!! Fix: unset SLIPWAY_RUNTIME/);
});
