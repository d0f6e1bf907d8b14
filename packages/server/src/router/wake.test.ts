/**
 * Wake on request in the dispatcher: an app that may be scaled to zero (`wakeable`) asks the platform once for a
 * dyno, holds its requests in the queue while it boots, serves them all when it is up, and answers
 * H20 when the boot takes longer than the boot timeout. Not idle and no dynos stays H14.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admit } from './balance.js';
import { createDispatcher, RoutingRejection, WAKE_REPEAT_MS } from './dispatcher.js';
import { aDyno, anApp } from './test-support.js';

const config = { routerTimeoutMs: 30_000, routerQueueMax: 50, routerBootTimeoutMs: 60_000 };

test('admit: idle with no dynos wakes; a starting dyno is waited for; not idle is H14', () => {
  assert.deepEqual(admit(anApp({ wakeable: true })), { kind: 'wake' });
  assert.deepEqual(admit(anApp({ wakeable: true, dynos: [aDyno({ state: 'starting' })] })), { kind: 'wait-boot' });
  assert.deepEqual(admit(anApp({ wakeable: true, dynos: [aDyno({ port: 5000 })] })), { kind: 'route' });
  assert.deepEqual(admit(anApp({ wakeable: true, maintenance: true })), { kind: 'reject', code: 'H80' });
  assert.deepEqual(admit(anApp({ wakeable: true, dynos: [aDyno({ state: 'crashed' })] })), { kind: 'reject', code: 'H10' });
  assert.deepEqual(admit(anApp({})), { kind: 'reject', code: 'H14' });
});

test('requests to an idle app wake it once and are all served when its dyno is up', async (t) => {
  let clock = 1_000;
  const woken: string[] = [];
  const d = createDispatcher({ config, now: () => clock, onWake: (id) => woken.push(id) });
  t.after(() => d.close());
  const app = anApp({ name: 'sleepy', wakeable: true });
  d.setTable({ version: 1, apps: [app] });
  const pending = Array.from({ length: 5 }, () => d.acquire(app.appId));
  assert.deepEqual(woken, [app.appId], 'one wake for five requests');
  clock += WAKE_REPEAT_MS;
  const late = d.acquire(app.appId);
  assert.deepEqual(woken, [app.appId, app.appId], 'asked again after WAKE_REPEAT_MS while still idle');
  // The formation is written before the dyno exists: a table with no dyno yet keeps them waiting.
  d.setTable({ version: 2, apps: [{ ...app }] });
  d.setTable({ version: 3, apps: [{ ...app, dynos: [aDyno({ state: 'starting', port: 5001 })] }] });
  clock += 700;
  d.setTable({ version: 4, apps: [{ ...app, dynos: [aDyno({ state: 'up', port: 5001 })] }] });
  const got = await Promise.all([...pending, late]);
  assert.equal(got.length, 6);
  assert.ok(got.every((a) => a.slot.name === 'web.1'));
  assert.equal(got[0].queueMs, 2_700, 'the wait is the queue time');
});

test('a wake whose dyno never comes up ends in H20 at the boot timeout', async (t) => {
  const d = createDispatcher({ config: { ...config, routerBootTimeoutMs: 50 }, onWake: () => {} });
  t.after(() => d.close());
  const app = anApp({ name: 'stuck', wakeable: true });
  d.setTable({ version: 1, apps: [app] });
  await assert.rejects(d.acquire(app.appId), (err: unknown) => err instanceof RoutingRejection && err.code === 'H20');
});

test('the queue bound holds while waking (H11 past it)', async (t) => {
  const d = createDispatcher({ config: { ...config, routerQueueMax: 2, routerBootTimeoutMs: 50 }, onWake: () => {} });
  t.after(() => d.close());
  const app = anApp({ name: 'busy', wakeable: true });
  d.setTable({ version: 1, apps: [app] });
  const held = [d.acquire(app.appId), d.acquire(app.appId)].map((p) => p.catch((e: RoutingRejection) => e.code));
  await assert.rejects(d.acquire(app.appId), (err: unknown) => err instanceof RoutingRejection && err.code === 'H11');
  assert.deepEqual(await Promise.all(held), ['H20', 'H20']);
});
