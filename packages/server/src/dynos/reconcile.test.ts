import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  reconcile, cooloffMs, nextCrashCount, cycleDueAt, dynoNumber,
  CRASH_FORGIVE_UPTIME_MS, MIN_COOLOFF_MS, type ObservedDyno, type ReconcileInput, type DesiredType,
} from './reconcile.js';

const MIN = 60_000;
const T0 = new Date('2026-11-22T14:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

function aDyno(name: string, over: Partial<ObservedDyno> = {}): ObservedDyno {
  const type = name.split('.')[0];
  return {
    name, type, state: 'up', releaseVersion: 3, size: 'standard-1x', command: `run-${type}`,
    busy: false, startedAt: T0, cycleJitterMs: 0, crashCount: 0, endedAt: null, ...over,
  };
}
function aType(type: string, quantity: number, over: Partial<DesiredType> = {}): DesiredType {
  return { type, quantity, size: 'standard-1x', command: `run-${type}`, ...over };
}
function input(over: Partial<ReconcileInput> = {}): ReconcileInput {
  return {
    now: at(MIN), formation: [], release: { version: 3 }, preboot: false, dynos: [],
    cyclePeriodMs: 24 * 60 * MIN, restartCooloffMaxMs: 20 * MIN, ...over,
  };
}
const brief = (i: ReconcileInput) => reconcile(i).actions.map((a) => `${a.kind} ${a.name}${a.kind === 'replace' ? ` ${a.order}` : ''} (${a.reason})`);

describe('reconcile: scaling', () => {
  it('starts web.1…web.N from nothing', () => {
    assert.deepEqual(brief(input({ formation: [aType('web', 3)] })), ['start web.1 (scale)', 'start web.2 (scale)', 'start web.3 (scale)']);
  });
  it('scale up starts only the missing numbers', () => {
    assert.deepEqual(brief(input({ formation: [aType('web', 5)], dynos: [aDyno('web.1'), aDyno('web.2'), aDyno('web.3')] })),
      ['start web.4 (scale)', 'start web.5 (scale)']);
  });
  it('fills a gap left by a missing dyno', () => {
    assert.deepEqual(brief(input({ formation: [aType('web', 3)], dynos: [aDyno('web.1'), aDyno('web.3')] })), ['start web.2 (scale)']);
  });
  it('scale down stops the highest numbers first', () => {
    const dynos = ['web.1', 'web.2', 'web.3', 'web.4'].map((n) => aDyno(n));
    assert.deepEqual(brief(input({ formation: [aType('web', 1)], dynos })), ['stop web.4 (scale)', 'stop web.3 (scale)', 'stop web.2 (scale)']);
  });
  it('sorts web.10 after web.9 when stopping', () => {
    const dynos = Array.from({ length: 10 }, (_, i) => aDyno(`web.${i + 1}`));
    assert.deepEqual(brief(input({ formation: [aType('web', 8)], dynos })), ['stop web.10 (scale)', 'stop web.9 (scale)']);
  });
  it('scale to zero stops every dyno of that type and leaves others alone', () => {
    const dynos = [aDyno('web.1'), aDyno('worker.1'), aDyno('worker.2')];
    assert.deepEqual(brief(input({ formation: [aType('web', 1), aType('worker', 0)], dynos })), ['stop worker.2 (scale)', 'stop worker.1 (scale)']);
  });
  it('stops dynos of a type that left the formation', () => {
    assert.deepEqual(brief(input({ formation: [aType('web', 1)], dynos: [aDyno('web.1'), aDyno('old.1')] })), ['stop old.1 (scale)']);
  });
  it('stops before it starts', () => {
    const acts = brief(input({ formation: [aType('web', 2), aType('worker', 0)], dynos: [aDyno('worker.1')] }));
    assert.deepEqual(acts, ['stop worker.1 (scale)', 'start web.1 (scale)', 'start web.2 (scale)']);
  });
  it('runs nothing without a release', () => {
    assert.deepEqual(brief(input({ release: null, formation: [aType('web', 2)] })), []);
    assert.deepEqual(brief(input({ release: null, formation: [aType('web', 2)], dynos: [aDyno('web.1')] })), ['stop web.1 (scale)']);
  });
  it('leaves busy dynos alone', () => {
    assert.deepEqual(brief(input({ formation: [aType('web', 0)], dynos: [aDyno('web.1', { busy: true })] })), []);
    assert.deepEqual(brief(input({ formation: [aType('web', 1)], dynos: [aDyno('web.1', { busy: true, releaseVersion: 1 })] })), []);
  });
  it('does nothing when everything matches', () => {
    const plan = reconcile(input({ formation: [aType('web', 2)], dynos: [aDyno('web.1'), aDyno('web.2')] }));
    assert.deepEqual(plan.actions, []);
  });
});

describe('reconcile: releases, sizes and commands', () => {
  it('a new release replaces every dyno, stop then start without preboot', () => {
    const dynos = [aDyno('web.1', { releaseVersion: 2 }), aDyno('worker.1', { releaseVersion: 2 })];
    assert.deepEqual(brief(input({ formation: [aType('web', 1), aType('worker', 1)], dynos })),
      ['replace web.1 stop-first (release)', 'replace worker.1 stop-first (release)']);
  });
  it('with preboot, web dynos start before the old ones stop; other types still stop first', () => {
    const dynos = [aDyno('web.1', { releaseVersion: 2 }), aDyno('clock.1', { releaseVersion: 2 })];
    assert.deepEqual(brief(input({ preboot: true, formation: [aType('web', 1), aType('clock', 1)], dynos })),
      ['replace clock.1 stop-first (release)', 'replace web.1 start-first (release)']);
  });
  it('a crashed dyno of an old release starts at once on the new release', () => {
    const dynos = [aDyno('web.1', { releaseVersion: 2, state: 'crashed', crashCount: 4, endedAt: at(0) })];
    assert.deepEqual(brief(input({ formation: [aType('web', 1)], dynos })), ['start web.1 (release)']);
  });
  it('a size change restarts that type only', () => {
    const dynos = [aDyno('web.1'), aDyno('web.2'), aDyno('worker.1')];
    assert.deepEqual(brief(input({ formation: [aType('web', 2, { size: 'standard-2x' }), aType('worker', 1)], dynos })),
      ['replace web.1 stop-first (size)', 'replace web.2 stop-first (size)']);
  });
  it('a command change restarts that type', () => {
    assert.deepEqual(brief(input({ formation: [aType('worker', 1, { command: 'new' })], dynos: [aDyno('worker.1')] })), ['replace worker.1 stop-first (command)']);
  });
});

describe('reconcile: crashes and backoff', () => {
  const crashed = (count: number, endedMs: number) => aDyno('worker.1', { state: 'crashed', crashCount: count, endedAt: at(endedMs), startedAt: null });
  it('restarts the first crash at once', () => {
    assert.deepEqual(brief(input({ now: at(0), formation: [aType('worker', 1)], dynos: [crashed(1, 0)] })), ['start worker.1 (crash)']);
  });
  it('waits the cool-off after the second crash and says when to wake', () => {
    const plan = reconcile(input({ now: at(5 * MIN), formation: [aType('worker', 1)], dynos: [crashed(2, 0)] }));
    assert.deepEqual(plan.actions, []);
    assert.deepEqual(plan.wakeAt, at(20 * MIN));
    assert.deepEqual(brief(input({ now: at(20 * MIN), formation: [aType('worker', 1)], dynos: [crashed(2, 0)] })), ['start worker.1 (crash)']);
  });
  it('honours a shortened restartCooloffMaxMs', () => {
    const plan = reconcile(input({ now: at(0), restartCooloffMaxMs: 500, formation: [aType('worker', 1)], dynos: [crashed(5, 0)] }));
    assert.deepEqual(plan.wakeAt, at(500));
  });
  it('treats a dyno that went down (exit 0) like a crash', () => {
    const d = aDyno('web.1', { state: 'down', crashCount: 1, endedAt: at(0) });
    assert.deepEqual(brief(input({ now: at(0), formation: [aType('web', 1)], dynos: [d] })), ['start web.1 (crash)']);
  });
  it('reports the earliest wake time across dynos', () => {
    const dynos = [crashed(2, 0), aDyno('web.1', { startedAt: T0, cycleJitterMs: 0 })];
    const plan = reconcile(input({ now: at(MIN), restartCooloffMaxMs: 320 * MIN, cyclePeriodMs: 10 * MIN, formation: [aType('worker', 1), aType('web', 1)], dynos }));
    assert.deepEqual(plan.wakeAt, at(10 * MIN));
  });
});

describe('backoff functions', () => {
  it('follows 0, 20, 40, 60, 180, 320, 320… minutes when uncapped', () => {
    const got = [1, 2, 3, 4, 5, 6, 7, 50].map((n) => cooloffMs(n, Number.MAX_SAFE_INTEGER) / MIN);
    assert.deepEqual(got, [0, 20, 40, 60, 180, 320, 320, 320]);
  });
  it('caps at the configured maximum (Heroku default 20 min) and never spins', () => {
    assert.deepEqual([1, 2, 3, 6].map((n) => cooloffMs(n, 20 * MIN) / MIN), [0, 20, 20, 20]);
    assert.equal(cooloffMs(3, 0), MIN_COOLOFF_MS);
    assert.equal(cooloffMs(0, 0), 0);
  });
  it('counts consecutive crashes and forgives a dyno that stayed up', () => {
    assert.equal(nextCrashCount(0, 10), 1);
    assert.equal(nextCrashCount(3, 10), 4);
    assert.equal(nextCrashCount(3, null), 4);
    assert.equal(nextCrashCount(7, CRASH_FORGIVE_UPTIME_MS), 1);
  });
});

describe('cycling', () => {
  it('is due after the period plus the dyno jitter', () => {
    assert.deepEqual(cycleDueAt(T0, 24 * 60 * MIN, 7 * MIN), at(24 * 60 * MIN + 7 * MIN));
    assert.equal(cycleDueAt(T0, 0, 5), null);
  });
  it('cycles a dyno that lived past its deadline; web starts first, others stop first', () => {
    const dynos = [aDyno('web.1', { cycleJitterMs: 30 * MIN }), aDyno('clock.1', { cycleJitterMs: 0 })];
    const i = input({ now: at(24 * 60 * MIN + 10 * MIN), formation: [aType('web', 1), aType('clock', 1)], dynos });
    assert.deepEqual(brief(i), ['replace clock.1 stop-first (cycle)']);
    assert.deepEqual(reconcile(i).wakeAt, at(24 * 60 * MIN + 30 * MIN));
    assert.deepEqual(brief({ ...i, now: at(24 * 60 * MIN + 30 * MIN) }), ['replace clock.1 stop-first (cycle)', 'replace web.1 start-first (cycle)']);
  });
  it('never cycles when the period is 0', () => {
    const plan = reconcile(input({ now: at(1e12), cyclePeriodMs: 0, formation: [aType('web', 1)], dynos: [aDyno('web.1')] }));
    assert.deepEqual(plan, { actions: [], wakeAt: null });
  });
});

describe('dynoNumber', () => {
  it('parses the number after the last dot', () => {
    assert.equal(dynoNumber('web.12'), 12);
    assert.ok(Number.isNaN(dynoNumber('web')));
  });
});
