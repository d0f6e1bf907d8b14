import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createLogger } from '../log/index.js';
import { hit, makeKit, type Kit } from './manager.fixture.js';

const up = (kit: Kit, names: string[]) => async () => {
  const dynos = await kit.store.dynos.list(kit.app.id);
  return names.every((n) => dynos.some((d) => d.name === n && d.state === 'up')) && dynos.filter((d) => d.type !== 'run').length === names.length;
};

describe('dyno manager (process driver, SQLite store)', { timeout: 60_000 }, () => {
  let kit: Kit;
  afterEach(async () => kit?.close());

  it('scales web 0 → 3 → 1 with real processes, highest numbers stopped first', async () => {
    kit = await makeKit();
    const m = kit.manager();
    await m.start();
    await kit.release({ FOO: 'one' });
    await kit.scale('web', 3);
    await kit.waitFor('three web dynos up', up(kit, ['web.1', 'web.2', 'web.3']));
    const dynos = await kit.store.dynos.list(kit.app.id);
    const answers = await Promise.all(dynos.map((d) => hit(d.host, d.port)));
    assert.deepEqual(answers.map((a) => a.dyno).sort(), ['web.1', 'web.2', 'web.3']);
    assert.equal(new Set(answers.map((a) => a.pid)).size, 3, 'three separate processes');
    assert.ok(answers.every((a) => a.foo === 'one' && a.release === 'v1'));
    assert.ok(kit.heroku('web.2').includes(`Starting process with command \`exec '${process.execPath}' web.js\``));
    assert.ok(kit.heroku('web.2').includes('State changed from starting to up'));
    assert.ok(kit.lines.some((l) => l.source === 'app' && l.dyno === 'web.3' && l.message === 'listening'));

    await kit.scale('web', 1);
    await kit.waitFor('only web.1 left', up(kit, ['web.1']));
    for (const name of ['web.2', 'web.3']) {
      assert.ok(kit.heroku(name).includes('Stopping all processes with SIGTERM'), name);
      assert.ok(kit.lines.some((l) => l.dyno === name && l.message === 'got SIGTERM'), `${name} saw SIGTERM`);
      assert.ok(kit.heroku(name).includes('Process exited with status 0'));
    }
    assert.equal((await kit.driver.list()).length, 1);
  });

  it('logs where each start\'s time went, from the formation change to the dyno being up', async () => {
    kit = await makeKit();
    const logged: string[] = [];
    const m = kit.manager({ logger: createLogger({ write: (l) => logged.push(l) }) });
    await m.start();
    await kit.release();
    await kit.scale('web', 2);
    await kit.waitFor('two web dynos up', up(kit, ['web.1', 'web.2']));
    await kit.waitFor('two timelines', () => logged.filter((l) => l.includes('at=dyno.start_timeline')).length === 2);
    for (const name of ['web.1', 'web.2']) {
      const line = logged.find((l) => l.includes('at=dyno.start_timeline') && l.includes(`dyno=${name} `)) ?? '';
      const f = Object.fromEntries([...line.matchAll(/(\w+)_ms=(\d+)/g)].map(([, k, v]) => [k, Number(v)]));
      assert.deepEqual(Object.keys(f), ['requested', 'persist', 'driver', 'boot', 'up', 'total'], line);
      const steps = f.requested + f.persist + f.driver + f.boot + f.up;
      assert.ok(Math.abs(steps - f.total) <= 5, `the steps (${steps} ms) add up to the total: ${line}`);
      assert.ok(f.boot > 0, `a real process takes time to listen: ${line}`);
    }
  });

  it('logs R18 when the driver reports the dyno\'s disk full: once, again after 20 s while full, again after it was freed', async () => {
    kit = await makeKit();
    const MB = 1024 * 1024;
    let usedMb = 32;
    // The process driver has no disk limit: report the numbers a runc dyno's scratch tmpfs would (runc-isolation e2e shows the real one).
    const driver = { ...kit.driver, usage: async (h: Parameters<typeof kit.driver.usage>[0]) => {
      const u = await kit.driver.usage(h);
      return u && { ...u, disk: { usedBytes: usedMb * MB, limitBytes: 32 * MB } };
    } };
    const m = kit.manager({ driver });
    await m.start();
    await kit.release();
    await kit.scale('web', 1);
    await kit.waitFor('web.1 up', up(kit, ['web.1']));
    const r18 = () => kit.heroku('web.1').filter((l) => l === 'Error R18 (Disk quota exceeded)').length;
    await kit.waitFor('R18', () => r18() === 1);
    assert.ok(kit.heroku('web.1').includes('Process running disk=32M(100.0%)'));
    kit.clock.freeze();
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(r18(), 1, 'not repeated within 20 s');
    kit.clock.advance(20_001);
    await kit.waitFor('R18 repeated', () => r18() === 2);
    usedMb = 10;
    await new Promise((r) => setTimeout(r, 1500));
    usedMb = 32;
    await kit.waitFor('R18 after the disk was freed and filled again', () => r18() === 3);
  });

  it('restarts a crashed dyno at once the first time, then only after the cool-off', async () => {
    kit = await makeKit({ restartCooloffMaxMs: 60_000 });
    kit.clock.freeze();
    const m = kit.manager();
    await m.start();
    await kit.release();
    await kit.scale('worker', 1, 'echo worker started; exit 3');
    // crash 1 → restarted at once → crash 2 → waits the cool-off (the clock is frozen).
    await kit.waitFor('second crash', async () => (await kit.store.dynos.get(kit.app.id, 'worker.1'))?.restartCount === 2);
    const d = await kit.store.dynos.get(kit.app.id, 'worker.1');
    assert.equal(d?.state, 'crashed');
    assert.equal(d?.exitCode, 3);
    const starts = () => kit.heroku('worker.1').filter((l) => l.startsWith('Starting process')).length;
    assert.equal(starts(), 2);
    assert.ok(kit.heroku('worker.1').includes('Process exited with status 3'));
    assert.ok(kit.heroku('worker.1').includes('State changed from up to crashed'));
    assert.ok(kit.heroku('worker.1').includes('State changed from crashed to starting'));
    await m.reconcileApp(kit.app.id);
    assert.equal(starts(), 2, 'no restart while cooling off');
    kit.clock.advance(60_000);
    await m.reconcileApp(kit.app.id);
    await kit.waitFor('third start', () => starts() === 3);
  });

  it('a start that is not a crash restart forgives the crashes in the store; a shutdown is not a crash', async () => {
    // The wall clock: the recovered dyno's end is its record's updatedAt, stamped by the store.
    kit = await makeKit({ restartCooloffMaxMs: 60_000 });
    const m = kit.manager();
    await m.start();
    await kit.release({ CRASH: '1' });
    await kit.scale('worker', 1, 'if [ -n "$CRASH" ]; then exit 3; fi; exec sleep 600');
    await kit.waitFor('second crash', async () => (await kit.store.dynos.get(kit.app.id, 'worker.1'))?.restartCount === 2);
    // The config is fixed: a new release starts it at once, and the stored count is back to 0.
    await kit.release({});
    await kit.waitFor('worker up', async () => (await kit.store.dynos.get(kit.app.id, 'worker.1'))?.state === 'up');
    assert.equal((await kit.store.dynos.get(kit.app.id, 'worker.1'))?.restartCount, 0);
    // The platform stops everything (SIGINT): down, no crash on record.
    await m.stop({ detach: false });
    const stopped = await kit.store.dynos.get(kit.app.id, 'worker.1');
    assert.deepEqual([stopped?.state, stopped?.restartCount], ['down', 0]);
    // A new manager on the same store starts it at once, not after the 60 s cool-off of two crashes.
    const again = kit.manager();
    await again.start();
    await kit.waitFor('worker up after the restart', async () => (await kit.store.dynos.get(kit.app.id, 'worker.1'))?.state === 'up', 10_000);
  });

  it('treats exit 0 of a formation dyno as down and restarts it', async () => {
    kit = await makeKit();
    const m = kit.manager();
    await m.start();
    await kit.release();
    await kit.scale('worker', 1, 'echo done; exit 0');
    await kit.waitFor('a restart after exit 0', () => kit.heroku('worker.1').includes('State changed from down to starting'));
    assert.ok(kit.heroku('worker.1').includes('State changed from up to down'));
  });

  it('kills a web dyno that does not bind $PORT within the boot timeout (R10)', async () => {
    kit = await makeKit({ bootTimeoutMs: 400, restartCooloffMaxMs: 60_000 });
    kit.clock.freeze();
    const m = kit.manager();
    await m.start();
    await kit.release();
    await kit.scale('web', 1, 'echo never binding; sleep 60');
    await kit.waitFor('R10', () => kit.heroku('web.1').includes('Error R10 (Boot timeout) -> Web process failed to bind to $PORT within 1 second of launch'));
    await kit.waitFor('crashed', () => kit.heroku('web.1').includes('State changed from starting to crashed'));
    assert.ok(kit.heroku('web.1').includes('Stopping process with SIGKILL'));
    assert.ok(kit.heroku('web.1').includes('Process exited with status 137'));
  });

  it('SIGKILLs a dyno that ignores SIGTERM past the grace period (R12)', async () => {
    kit = await makeKit({ stopGraceMs: 300 });
    const m = kit.manager();
    await m.start();
    await kit.release();
    await kit.scale('worker', 1, `trap '' TERM; echo stubborn; while :; do sleep 0.05; done`);
    await kit.waitFor('worker up', up(kit, ['worker.1']));
    await kit.waitFor('stubborn', () => kit.lines.some((l) => l.message === 'stubborn'));
    await kit.scale('worker', 0);
    await kit.waitFor('worker gone', async () => (await kit.store.dynos.list(kit.app.id)).length === 0);
    const h = kit.heroku('worker.1');
    assert.ok(h.includes('Error R12 (Exit timeout) -> At least one process failed to exit within 1 second of SIGTERM'), JSON.stringify(h));
    assert.ok(h.includes('Stopping remaining processes with SIGKILL'));
    assert.ok(h.includes('Process exited with status 137'));
  });

  it('a new release replaces every dyno', async () => {
    kit = await makeKit();
    const m = kit.manager();
    await m.start();
    await kit.release({ FOO: 'one' });
    await kit.scale('web', 1);
    await kit.waitFor('web.1 up', up(kit, ['web.1']));
    const before = await kit.store.dynos.get(kit.app.id, 'web.1');
    const first = await hit(before!.host, before!.port);
    await kit.release({ FOO: 'two' });
    await kit.waitFor('web.1 on v2', async () => {
      const d = await kit.store.dynos.get(kit.app.id, 'web.1');
      return d?.state === 'up' && d.releaseVersion === 2;
    });
    const after = await kit.store.dynos.get(kit.app.id, 'web.1');
    const second = await hit(after!.host, after!.port);
    assert.equal(second.foo, 'two');
    assert.equal(second.release, 'v2');
    assert.notEqual(second.pid, first.pid);
    assert.ok(kit.heroku('web.1').includes('Restarting'));
    await kit.waitFor('one process', async () => (await kit.driver.list()).length === 1);
  });

  it('keeps dynos and their since-time across a manager restart (re-adopts, no duplicates)', async () => {
    kit = await makeKit();
    const m1 = kit.manager();
    await m1.start();
    await kit.release();
    await kit.scale('web', 2);
    await kit.waitFor('two up', up(kit, ['web.1', 'web.2']));
    const before = await kit.store.dynos.list(kit.app.id);
    await m1.stop({ detach: true });
    const m2 = kit.manager();
    await m2.start();
    await m2.reconcileApp(kit.app.id);
    const after = await kit.store.dynos.list(kit.app.id);
    assert.deepEqual(after.map((d) => [d.name, d.state, d.updatedAt.toISOString(), d.port]), before.map((d) => [d.name, d.state, d.updatedAt.toISOString(), d.port]));
    assert.equal((await kit.driver.list()).length, 2);
    await hit(after[0].host, after[0].port);
  });

  it('restarts on request and resets the since-time', async () => {
    kit = await makeKit();
    const m = kit.manager();
    await m.start();
    await kit.release();
    await kit.scale('worker', 1, 'echo w; while :; do sleep 0.05; done');
    await kit.waitFor('up', up(kit, ['worker.1']));
    const before = (await kit.driver.list()).map((r) => r.pid);
    await m.restart(kit.app.id, { type: 'worker' });
    await kit.waitFor('new process', async () => {
      const pids = (await kit.driver.list()).map((r) => r.pid);
      return pids.length === 1 && pids[0] !== before[0] && (await kit.store.dynos.get(kit.app.id, 'worker.1'))?.state === 'up';
    });
    assert.ok(kit.heroku('worker.1').includes('Restarting'));
    await assert.rejects(m.restart(kit.app.id, { dynoName: 'worker.9' }), /Couldn't find that dyno/);
  });

  it('runs detached one-off dynos that log, complete and disappear', async () => {
    kit = await makeKit();
    const m = kit.manager();
    await m.start();
    await kit.release({ FOO: 'x' });
    const d = await m.runOneOff(kit.app, { command: 'echo "one-off $DYNO foo=$FOO"', user: 'admin@example.com' });
    assert.match(d.name, /^run\.\d+$/);
    assert.equal(d.state, 'starting');
    await kit.waitFor('complete', () => kit.heroku(d.name).includes('State changed from up to complete'));
    assert.ok(kit.lines.some((l) => l.source === 'app' && l.dyno === d.name && l.message === `one-off ${d.name} foo=x`));
    assert.ok(kit.heroku(d.name).includes('Starting process with command `echo "one-off $DYNO foo=$FOO"` by user admin@example.com'));
    await kit.waitFor('record removed', async () => (await kit.store.dynos.get(kit.app.id, d.name)) === undefined);
    await assert.rejects(m.runOneOff(kit.app, { command: '' }), /command/);
    await assert.rejects(m.runOneOff(kit.app, { command: 'x', size: 'huge' }), /Available sizes/);
  });

  it('stops a one-off dyno at its time_to_live', async () => {
    kit = await makeKit();
    const m = kit.manager();
    await m.start();
    await kit.release();
    const d = await m.runOneOff(kit.app, { command: 'while :; do sleep 0.05; done', timeToLive: 1 });
    await kit.waitFor('ttl stop', () => kit.heroku(d.name).includes('State changed from up to complete'));
    assert.ok(kit.heroku(d.name).includes('Stopping all processes with SIGTERM'));
  });

  it('runs the release phase on a candidate slug and config and reports its exit code', async () => {
    kit = await makeKit();
    const m = kit.manager();
    await m.start();
    const candidate = { appId: kit.app.id, slugId: kit.slug.id, slugPath: path.join(kit.dir, 'slugs', 'one.tgz'), config: { DB: 'x' }, description: 'Deploy' };
    const output: string[] = [];
    assert.deepEqual(await m.runReleasePhase(kit.app, candidate, 'echo "migrating $DB"; ls web.js; exit 0', (t) => output.push(t)), { exitCode: 0 });
    assert.deepEqual(output, ['migrating x\n', 'web.js\n']);
    assert.deepEqual(await m.runReleasePhase(kit.app, candidate, 'exit 4'), { exitCode: 4 });
    assert.ok(kit.lines.some((l) => l.source === 'app' && /^release\.\d+$/.test(l.dyno) && l.message === 'migrating x'));
    assert.deepEqual(await kit.store.dynos.list(kit.app.id), []);
  });
});
