import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useMockApi } from '../../testing/mock-api.js';
import { runCommand } from '../../testing/run-cli.js';

const api = useMockApi();
const run = (argv: string[]) => runCommand(argv, { apiUrl: api.url });
const monitor = (over: Record<string, unknown> = {}) => ({
  id: 'm-1', process_type: 'web', action_type: 'scale', name: 'LATENCY_SCALE', is_active: true, value: 500, min_quantity: 1, max_quantity: 10,
  queue_time_ms: null, metric: null, idle_ms: null, strategy: 'slipway', ...over,
});

describe('ps:autoscale', () => {
  it('enable with no monitor POSTs Heroku\'s body with Slipway\'s extras and prints the policy', async () => {
    api.expect('GET', '/apps/myapp/formation/web/monitors', { body: [] });
    api.expect('POST', '/apps/myapp/formation/web/monitors', { status: 201, body: monitor({ queue_time_ms: 50 }) });
    const r = await run(['ps:autoscale:enable', '--min', '1', '--max', '10', '--p95', '500', '--queue-time', '50', '-a', 'myapp']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(api.requests[1].body, {
      name: 'LATENCY_SCALE', notification_channels: [], notification_period: 1440, action_type: 'scale', is_active: true, op: 'GREATER_OR_EQUAL', period: 1,
      min_quantity: 1, max_quantity: 10, value: 500, queue_time_ms: 50,
    });
    assert.equal(r.stderr, 'Enabling dyno autoscaling... done\n');
    assert.equal(r.stdout, 'web: on, min 1, max 10, p95 500 ms, queue 50 ms\n');
    api.assertDone();
  });

  it('enable on an existing monitor PATCHes only what is given; a worker on a metric with scale to zero', async () => {
    api.expect('GET', '/apps/myapp/formation/worker/monitors', { body: [monitor({ id: 'm-2', process_type: 'worker' })] });
    api.expect('PATCH', '/apps/myapp/formation/worker/monitors/m-2', {
      body: monitor({ id: 'm-2', process_type: 'worker', name: 'METRIC_SCALE', metric: 'queue_depth', value: 50, min_quantity: 0, max_quantity: 5, idle_ms: 300_000 }),
    });
    const r = await run(['ps:autoscale:enable', 'worker', '--min', '0', '--metric', 'queue_depth', '--per-dyno', '50', '--idle', '300', '-a', 'myapp']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(api.requests[1].body, {
      action_type: 'scale', is_active: true, op: 'GREATER_OR_EQUAL', period: 1, min_quantity: 0, value: 50, idle_ms: 300_000, metric: 'queue_depth', name: 'METRIC_SCALE',
    });
    assert.equal(r.stdout, 'worker: on, min 0, max 5, queue_depth 50 per dyno, idle 300 s\n');
    api.assertDone();
  });

  it('refuses --metric without --per-dyno before calling the API', async () => {
    const r = await run(['ps:autoscale:enable', 'worker', '--metric', 'queue_depth', '-a', 'myapp']);
    assert.deepEqual([r.code, r.stderr], [1, 'Error: --metric needs --per-dyno: the value of the metric one dyno handles.\n']);
    api.assertDone();
  });

  it('disable PATCHes the monitor inactive, and says when there is none', async () => {
    api.expect('GET', '/apps/myapp/formation/web/monitors', { body: [monitor()] });
    api.expect('PATCH', '/apps/myapp/formation/web/monitors/m-1', { body: monitor({ is_active: false }) });
    const r = await run(['ps:autoscale:disable', '-a', 'myapp']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(api.requests[1].body, { is_active: false, op: 'GREATER_OR_EQUAL', period: 1 });
    assert.equal(r.stderr, 'Disabling dyno autoscaling... done\n');
    api.expect('GET', '/apps/myapp/formation/web/monitors', { body: [] });
    assert.deepEqual(await run(['ps:autoscale:disable', '-a', 'myapp']), { code: 1, stdout: '', stderr: 'Error: myapp does not have autoscale enabled\n' });
    api.assertDone();
  });

  it('shows every type\'s scale monitor', async () => {
    api.expect('GET', '/apps/myapp/monitors', {
      body: [monitor({ process_type: 'worker', min_quantity: 0, idle_ms: 60_000, strategy: 'heroku' }), monitor({ is_active: false }), monitor({ action_type: 'alert', process_type: 'x' })],
    });
    const r = await run(['ps:autoscale', '-a', 'myapp']);
    assert.equal(r.stdout, 'web: off, min 1, max 10, p95 500 ms\nworker: on, min 0, max 10, p95 500 ms, idle 60 s, strategy heroku\n');
    api.expect('GET', '/apps/myapp/monitors', { body: [] });
    assert.equal((await run(['ps:autoscale', '-a', 'myapp'])).stdout, 'myapp has no autoscaling\n');
    api.assertDone();
  });
});
