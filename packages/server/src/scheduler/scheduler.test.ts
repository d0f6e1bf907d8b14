/**
 * The scheduler against the real dyno manager (process driver, SQLite store, the dynos room's test
 * kit): jobs run on their slot as `scheduler.N` one-offs with output on the app's channel, a run
 * still going is not started again, a slot is claimed once, and bad jobs are refused.
 */
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../log/index.js';
import { makeKit, type Kit } from '../dynos/manager.fixture.js';
import { createScheduler, createSchedulerJobs, SCHEDULER_USER } from './index.js';

/** A scheduler clock the test moves by hand. */
function handClock(iso: string) {
  let t = new Date(iso).getTime();
  return { now: () => new Date(t), set: (to: string) => (t = new Date(to).getTime()) };
}

describe('scheduler (real dyno manager, process driver)', { timeout: 60_000 }, () => {
  let kit: Kit;
  afterEach(async () => kit?.close());

  const setup = async (start: string) => {
    kit = await makeKit();
    const dynos = kit.manager();
    await dynos.start();
    await kit.release({ GREETING: 'hello' });
    const clock = handClock(start);
    const deps = { store: kit.store, dynos, logs: kit.logs, logger: silentLogger, now: clock.now, tickMs: 60_000 };
    return { clock, dynos, jobs: createSchedulerJobs({ store: kit.store, logs: kit.logs, now: clock.now }), scheduler: createScheduler(deps), deps };
  };
  const appLines = (dyno: string) => kit.lines.filter((l) => l.source === 'app' && l.dyno === dyno).map((l) => l.message);

  it('runs a job on its slot as scheduler.N, with its output in the app\'s log, and moves it to the next slot', async () => {
    const { clock, jobs, scheduler } = await setup('2026-12-07T17:03:00Z');
    const job = await jobs.create(kit.app, { command: 'echo "job says $GREETING from $DYNO"', schedule: 'every 10 minutes' }, 'admin@example.com');
    assert.equal(job.number, 1);
    assert.equal(job.nextRunAt.toISOString(), '2026-12-07T17:10:00.000Z');
    assert.deepEqual(await scheduler.tick(), [], 'nothing is due at 17:03');
    clock.set('2026-12-07T17:10:00.400Z');
    assert.deepEqual(await scheduler.tick(), ['started']);
    await kit.waitFor('job output', () => appLines('scheduler.1').includes('job says hello from scheduler.1'));
    assert.ok(kit.heroku('scheduler.1').includes(`Starting process with command \`echo "job says $GREETING from $DYNO"\` by user ${SCHEDULER_USER}`));
    await kit.waitFor('complete', () => kit.heroku('scheduler.1').includes('State changed from up to complete'));
    const after = (await jobs.list(kit.app))[0]!;
    assert.equal(after.nextRunAt.toISOString(), '2026-12-07T17:20:00.000Z');
    assert.equal(after.lastRunAt?.toISOString(), '2026-12-07T17:10:00.000Z');
    assert.deepEqual(await scheduler.tick(), [], 'the 17:10 slot ran once');
  });

  it('does not start a run while the previous one is still going, and says so in the log', async () => {
    const { clock, jobs, scheduler } = await setup('2026-12-07T17:00:00Z');
    await jobs.create(kit.app, { command: 'echo started; sleep 30', schedule: 'every hour at :10' }, 'admin@example.com');
    clock.set('2026-12-07T17:10:00Z');
    assert.deepEqual(await scheduler.tick(), ['started']);
    await kit.waitFor('first run up', () => appLines('scheduler.1').includes('started'));
    clock.set('2026-12-07T18:10:00Z');
    assert.deepEqual(await scheduler.tick(), ['skipped']);
    assert.ok(kit.heroku('scheduler.1').includes('Skipping scheduled run of `echo started; sleep 30`: the previous run is still going'));
    assert.equal(kit.heroku('scheduler.1').filter((m) => m.startsWith('Starting process')).length, 1);
    assert.equal((await jobs.list(kit.app))[0]!.nextRunAt.toISOString(), '2026-12-07T19:10:00.000Z');
  });

  it('claims a due slot once when two schedulers look at the same store', async () => {
    const { clock, jobs, scheduler, deps } = await setup('2026-12-07T17:00:00Z');
    await jobs.create(kit.app, { command: 'echo once', schedule: 'every day at 17:30' }, 'admin@example.com');
    clock.set('2026-12-07T17:30:05Z');
    const other = createScheduler(deps);
    const outcomes = [...await Promise.all([scheduler.tick(), other.tick()])].flat().sort();
    assert.deepEqual(outcomes, ['claimed-elsewhere', 'started']);
    await kit.waitFor('one run', () => appLines('scheduler.1').includes('once'));
  });

  it('refuses bad jobs with the field named, numbers jobs from 1 and removes them by number', async () => {
    const { jobs } = await setup('2026-12-07T17:00:00Z');
    const field = (f: string) => (err: Error & { details?: { field?: string } }) => err.details?.field === f;
    await assert.rejects(jobs.create(kit.app, { command: '', schedule: 'every 10 minutes' }, 'a'), field('command'));
    await assert.rejects(jobs.create(kit.app, { command: 'x', schedule: 'every 7 minutes' }, 'a'), field('schedule'));
    await assert.rejects(jobs.create(kit.app, { command: 'x', schedule: 'every 10 minutes', size: 'huge' }, 'a'), field('size'));
    const a = await jobs.create(kit.app, { command: 'a', schedule: 'every 10 minutes' }, 'a');
    const b = await jobs.create(kit.app, { command: 'b', schedule: '*/5 * * * *', size: 'performance-m' }, 'a');
    assert.deepEqual([a.number, b.number, b.size], [1, 2, 'performance-m']);
    await jobs.remove(kit.app, '1', 'a');
    await assert.rejects(jobs.remove(kit.app, '1', 'a'), /Couldn't find that scheduler job/);
    const c = await jobs.create(kit.app, { command: 'c', schedule: 'every 10 minutes' }, 'a');
    assert.equal(c.number, 1, 'a freed number is reused');
    assert.deepEqual((await jobs.list(kit.app)).map((j) => j.command), ['c', 'b']);
  });
});
