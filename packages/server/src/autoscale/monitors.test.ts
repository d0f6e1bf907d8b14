/**
 * Monitors through the real API stack (auth, route table, SQLite store): the calls the official
 * CLI's `ps:autoscale:enable/disable` make (heroku-contract-2.md C6.1, C6.2), sent with the metrics
 * host's `Host` header, Slipway's additions, validation, and manual scaling within the bounds.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../../test/helpers/api-server.js';
import { monitorRoutes } from '../api/routes/monitors.js';
import { createMonitorService } from './monitors.js';

describe('monitors API', () => {
  let t: TestApi;
  let appId: string;
  const metricsHost = { Host: 'api.metrics.heroku.com:5000' };
  const monitors = (path = '') => `/apps/${appId}/formation/web/monitors${path}`;

  before(async () => {
    t = await startTestApi({
      extraRoutes: ({ store, apps, logs }) => monitorRoutes({ apps, monitors: createMonitorService({ store, logs }) }),
    });
    const app = await t.request('POST', '/apps', { body: { name: 'scaly' } });
    appId = app.body.id;
    await t.store.formation.upsert(appId, { type: 'web', quantity: 1, size: 'performance-m', command: 'npm start' });
    await t.store.formation.upsert(appId, { type: 'worker', quantity: 1, command: 'node worker.js' });
  });
  after(() => t.close());

  it('enable as the CLI does: GET (empty), POST with its body, then GET lists it', async () => {
    assert.deepEqual((await t.request('GET', monitors(), { headers: metricsHost })).body, []);
    const created = await t.request('POST', monitors(), {
      headers: metricsHost,
      body: { action_type: 'scale', is_active: true, notification_channels: [], notification_period: 1440, op: 'GREATER_OR_EQUAL', period: 1, max_quantity: 4, min_quantity: 1, name: 'LATENCY_SCALE', value: 500 },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(
      [created.body.action_type, created.body.is_active, created.body.min_quantity, created.body.max_quantity, created.body.value, created.body.name, created.body.strategy],
      ['scale', true, 1, 4, 500, 'LATENCY_SCALE', 'slipway'],
    );
    const listed = await t.request('GET', monitors(), { headers: metricsHost });
    assert.deepEqual(listed.body.map((m: { id: string }) => m.id), [created.body.id]);
    const line = t.logs.lines(appId).at(-1)?.message ?? '';
    assert.match(line, /^Enable autoscaling web: min 1, max 4, p95 500 ms by user admin@/);
  });

  it('re-enable patches (without name), disable patches inactive; an inactive monitor still lists', async () => {
    const [m] = (await t.request('GET', monitors())).body;
    const patched = await t.request('PATCH', monitors(`/${m.id}`), {
      body: { action_type: 'scale', is_active: true, notification_channels: ['app'], notification_period: 1440, op: 'GREATER_OR_EQUAL', period: 1, max_quantity: 6, min_quantity: 2, value: 400 },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.deepEqual([patched.body.min_quantity, patched.body.max_quantity, patched.body.value, patched.body.notification_channels], [2, 6, 400, ['app']]);
    const off = await t.request('PATCH', monitors(`/${m.id}`), { body: { is_active: false, op: 'GREATER_OR_EQUAL', period: 1 } });
    assert.equal(off.body.is_active, false);
    assert.match(t.logs.lines(appId).at(-1)?.message ?? '', /^Disable autoscaling web by user/);
    assert.equal((await t.request('GET', monitors())).body.length, 1);
    await t.request('PATCH', monitors(`/${m.id}`), { body: { is_active: true } });
  });

  it('a second scale monitor on a type is refused; Slipway fields round-trip; GET /apps/:app/monitors lists all types', async () => {
    const dup = await t.request('POST', monitors(), { body: { value: 300, min_quantity: 1, max_quantity: 2 } });
    assert.equal(dup.status, 422);
    assert.match(dup.body.message, /already has a scale monitor/);
    const worker = await t.request('POST', `/apps/${appId}/formation/worker/monitors`, {
      body: { name: 'METRIC_SCALE', metric: 'queue_depth', value: 50, min_quantity: 0, max_quantity: 5, idle_ms: 60_000, queue_time_ms: null },
    });
    assert.equal(worker.status, 201, JSON.stringify(worker.body));
    assert.deepEqual([worker.body.metric, worker.body.value, worker.body.idle_ms, worker.body.process_type], ['queue_depth', 50, 60_000, 'worker']);
    const all = await t.request('GET', `/apps/scaly/monitors`);
    assert.deepEqual(all.body.map((m: { process_type: string }) => m.process_type).sort(), ['web', 'worker']);
  });

  const invalid: [string, string, unknown, RegExp][] = [
    ['min above max', '', { min_quantity: 5, max_quantity: 2 }, /min_quantity \(5\) must not be above max_quantity \(2\)/],
    ['max over the platform maximum', '', { max_quantity: 101 }, /at most 100/],
    ['min 0 without an idle time', '', { min_quantity: 0 }, /idle_ms/],
    ['negative quantity', '', { min_quantity: -1 }, /min_quantity/],
    ['unknown field', '', { colour: 'blue' }, /Unknown field: colour/],
    ['a metric name with spaces', '', { metric: 'a b' }, /metric/],
    ['unknown strategy', '', { strategy: 'yolo' }, /strategy/],
  ];
  for (const [what, , patch, message] of invalid) {
    it(`PATCH refuses ${what} with a 422 and changes nothing`, async () => {
      const [m] = (await t.request('GET', monitors())).body;
      const r = await t.request('PATCH', monitors(`/${m.id}`), { body: patch });
      assert.equal(r.status, 422, JSON.stringify(r.body));
      assert.equal(r.body.id, 'invalid_params');
      assert.match(r.body.message, message);
      assert.deepEqual((await t.request('GET', monitors(`/${m.id}`))).body, m);
    });
  }

  it('404s: no such type, no such monitor, another user\'s app', async () => {
    assert.equal((await t.request('POST', `/apps/${appId}/formation/clock/monitors`, { body: { value: 1 } })).status, 404);
    assert.equal((await t.request('GET', `/apps/${appId}/formation/clock/monitors`)).status, 404);
    assert.equal((await t.request('PATCH', monitors('/00000000-0000-4000-8000-000000000000'), { body: { is_active: false } })).status, 404);
    const other = await t.user('mallory@example.com');
    assert.equal((await t.request('GET', monitors(), { token: other })).status, 404);
  });

  it('manual scaling inside the bounds works, outside is a 422 naming them; the monitor off lifts it', async () => {
    const inside = await t.request('PATCH', '/apps/scaly/formation/web', { body: { quantity: 3 } });
    assert.equal(inside.status, 200, JSON.stringify(inside.body));
    const outside = await t.request('PATCH', '/apps/scaly/formation', { body: { updates: [{ type: 'web', quantity: 9 }] } });
    assert.equal(outside.status, 422);
    assert.match(outside.body.message, /Autoscaling is on for web \(min 2, max 6\)/);
    assert.equal((await t.store.formation.get(appId, 'web'))?.quantity, 3);
    const sizeOnly = await t.request('PATCH', '/apps/scaly/formation/web', { body: { size: 'performance-l' } });
    assert.equal(sizeOnly.status, 200, 'a size change keeps the quantity and is allowed');
    const [m] = (await t.request('GET', monitors())).body;
    await t.request('PATCH', monitors(`/${m.id}`), { body: { is_active: false } });
    assert.equal((await t.request('PATCH', '/apps/scaly/formation/web', { body: { quantity: 9 } })).status, 200);
  });
});

describe('ps:autoscale with the official heroku CLI', { timeout: 180_000 }, () => {
  let t: TestApi;
  let cli: import('../../test/helpers/heroku-cli.js').HerokuCli;
  const metricsHost = ['api.metrics.heroku.com'];

  before(async () => {
    t = await startTestApi({ extraRoutes: ({ store, apps, logs }) => monitorRoutes({ apps, monitors: createMonitorService({ store, logs }) }) });
    const { herokuCli } = await import('../../test/helpers/heroku-cli.js');
    cli = await herokuCli({ url: t.url, token: t.adminToken });
    const app = await t.request('POST', '/apps', { body: { name: 'climbing' } });
    await t.store.formation.upsert(app.body.id, { type: 'web', quantity: 1, size: 'standard-1x', command: 'npm start' });
  });
  after(async () => {
    await cli.close();
    await t.close();
  });

  it('refuses Standard dynos (the CLI\'s own check), enables on Performance, re-enables with new bounds, disables', async () => {
    const standard = await cli.run(['ps:autoscale:enable', '--min', '1', '--max', '4', '--p95', '500', '-a', 'climbing'], { hosts: metricsHost });
    assert.equal(standard.code, 1);
    assert.match(standard.stderr, /only available with Performance or Private dynos/);
    assert.equal((await t.request('PATCH', '/apps/climbing/formation/web', { body: { size: 'performance-m' } })).status, 200);

    const on = await cli.run(['ps:autoscale:enable', '--min', '1', '--max', '4', '--p95', '500', '-a', 'climbing'], { hosts: metricsHost });
    assert.equal(on.code, 0, on.stderr);
    assert.match(on.stderr, /Enabling dyno autoscaling\.\.\. done/);
    let [m] = (await t.request('GET', '/apps/climbing/formation/web/monitors')).body;
    assert.deepEqual([m.is_active, m.min_quantity, m.max_quantity, m.value, m.name], [true, 1, 4, 500, 'LATENCY_SCALE']);

    const again = await cli.run(['ps:autoscale:enable', '--min', '2', '--max', '6', '--notifications', '-a', 'climbing'], { hosts: metricsHost });
    assert.equal(again.code, 0, again.stderr);
    const all = (await t.request('GET', '/apps/climbing/formation/web/monitors')).body;
    assert.equal(all.length, 1, 'patched, not a second monitor');
    [m] = all;
    assert.deepEqual([m.min_quantity, m.max_quantity, m.value, m.notification_channels], [2, 6, 500, ['app']]);

    const off = await cli.run(['ps:autoscale:disable', '-a', 'climbing'], { hosts: metricsHost });
    assert.equal(off.code, 0, off.stderr);
    assert.match(off.stderr, /Disabling dyno autoscaling\.\.\. done/);
    assert.equal((await t.request('GET', '/apps/climbing/formation/web/monitors')).body[0].is_active, false);
  });
});
