import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTimeline } from './start-timeline.js';

test('each mark is the time since the previous one, the driver\'s own steps taken out of the next mark', () => {
  let now = 1000;
  const t = startTimeline(990, () => now);
  t.mark('requested'); // 10 ms waiting for the reconciler
  now = 1003;
  t.mark('persist');
  now = 1250;
  t.add({ network: 120.4, create: 100.2 });
  t.mark('driver'); // 247 ms in the driver, 220.6 of them in its steps
  now = 1700;
  t.mark('boot');
  now = 1702;
  t.mark('up');
  assert.deepEqual(t.fields(), { requested_ms: 10, persist_ms: 3, network_ms: 120, create_ms: 100, driver_ms: 26, boot_ms: 450, up_ms: 2, total_ms: 712 });
});

test('a step timed twice adds up', () => {
  let now = 0;
  const t = startTimeline(0, () => now);
  t.add({ hosts: 2 });
  t.add({ hosts: 3 });
  now = 5;
  t.mark('driver');
  assert.deepEqual(t.fields(), { hosts_ms: 5, driver_ms: 0, total_ms: 5 });
});
