import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useMockApi } from '../../testing/mock-api.js';
import { runCommand } from '../../testing/run-cli.js';

const api = useMockApi();
const run = (argv: string[]) => runCommand(argv, { apiUrl: api.url });
const job = (n: number, schedule: string, command: string) => ({
  id: `j${n}`, number: n, dyno: `scheduler.${n}`, command, schedule, size: 'standard-1x',
  next_run_at: '2026-12-08T04:30:00.000Z', last_run_at: null, app: { id: 'a1', name: 'myapp' }, created_at: '', updated_at: '',
});

describe('scheduler', () => {
  it('adds jobs with each frequency flag as the API\'s schedule text, lists and removes them', async () => {
    api.expect('POST', '/apps/myapp/scheduler/jobs', { status: 201, body: job(1, 'every day at 04:30', 'node jobs/report.js') });
    api.expect('POST', '/apps/myapp/scheduler/jobs', { status: 201, body: job(2, 'every 10 minutes', 'echo hi') });
    api.expect('POST', '/apps/myapp/scheduler/jobs', { status: 201, body: job(3, 'every hour at :30', 'echo hour') });
    api.expect('POST', '/apps/myapp/scheduler/jobs', { status: 201, body: job(4, '*/5 * * * 1-5', 'echo cron') });
    api.expect('GET', '/apps/myapp/scheduler/jobs', { body: [job(1, 'every day at 04:30', 'node jobs/report.js')] });
    api.expect('DELETE', '/apps/myapp/scheduler/jobs/1', { body: job(1, 'every day at 04:30', 'node jobs/report.js') });
    const added = await run(['scheduler:add', 'node jobs/report.js', '--daily', '04:30', '-a', 'myapp']);
    assert.equal(added.stderr, 'Adding scheduler job to myapp... done, scheduler.1 every day at 04:30 (next run 2026-12-08T04:30:00.000Z)\n');
    await run(['scheduler:add', 'echo hi', '--every', '10m', '-a', 'myapp']);
    await run(['scheduler:add', 'echo hour', '--hourly', ':30', '-s', 'standard-2x', '-a', 'myapp']);
    await run(['scheduler:add', 'echo cron', '--cron', '*/5 * * * 1-5', '-a', 'myapp']);
    assert.deepEqual(api.requests.slice(0, 4).map((r) => r.body), [
      { command: 'node jobs/report.js', schedule: 'every day at 04:30' },
      { command: 'echo hi', schedule: 'every 10 minutes' },
      { command: 'echo hour', schedule: 'every hour at :30', size: 'standard-2x' },
      { command: 'echo cron', schedule: '*/5 * * * 1-5' },
    ]);
    const listed = await run(['scheduler:list', '-a', 'myapp']);
    assert.match(listed.stdout, /^=== myapp Scheduler Jobs\n\n Dyno +Schedule +Size +Next Run \(UTC\) +Last Run \(UTC\) +Command\n/);
    assert.match(listed.stdout, /scheduler\.1 +every day at 04:30 +standard-1x +2026-12-08T04:30:00\.000Z +node jobs\/report\.js\n$/);
    assert.equal((await run(['scheduler:remove', '1', '-a', 'myapp'])).stderr, 'Removing scheduler job scheduler.1 from myapp... done\n');
    api.assertDone();
  });

  it('refuses a missing or doubled frequency before calling the API', async () => {
    const none = await run(['scheduler:add', 'echo hi', '-a', 'myapp']);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /exactly one of --every 10m, --hourly :MM, --daily HH:MM or --cron EXPR/);
    const two = await run(['scheduler:add', 'echo hi', '--daily', '04:30', '--every', '10m', '-a', 'myapp']);
    assert.notEqual(two.code, 0);
    const five = await run(['scheduler:add', 'echo hi', '--every', '5m', '-a', 'myapp']);
    assert.match(five.stderr, /--every takes 10m/);
    assert.equal(api.requests.length, 0);
  });
});
