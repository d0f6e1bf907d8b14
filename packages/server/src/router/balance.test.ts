import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admit, canQueue, parseConcurrency, pickDyno, type DynoLoad } from './balance.js';
import { aDyno, anApp } from './test-support.js';

const load = (key: string, outstanding: number, quarantined = false): DynoLoad => ({ key, outstanding, quarantined });

test('pickDyno takes the dyno with the fewest outstanding requests', () => {
  assert.equal(pickDyno([load('a', 3), load('b', 1), load('c', 2)], null), 'b');
  for (let i = 0; i < 20; i++) assert.equal(pickDyno([load('a', 1), load('b', 0)], null, Math.random), 'b');
});

test('pickDyno breaks ties at random among the least loaded only', () => {
  const loads = [load('a', 0), load('b', 5), load('c', 0)];
  assert.equal(pickDyno(loads, null, () => 0), 'a');
  assert.equal(pickDyno(loads, null, () => 0.99), 'c');
  const seen = new Set<string>();
  for (let i = 0; i < 10; i++) seen.add(pickDyno(loads, null, () => i / 10) as string);
  assert.deepEqual([...seen].sort(), ['a', 'c']);
});

test('pickDyno respects the per-dyno concurrency limit and returns undefined when all are full', () => {
  assert.equal(pickDyno([load('a', 1), load('b', 2)], 2), 'a');
  assert.equal(pickDyno([load('a', 2), load('b', 2)], 2), undefined);
  assert.equal(pickDyno([], null), undefined);
});

test('pickDyno avoids quarantined dynos unless nothing else can take the request', () => {
  assert.equal(pickDyno([load('a', 0, true), load('b', 4)], null), 'b');
  assert.equal(pickDyno([load('a', 0, true), load('b', 1)], 1), 'a');
});

test('admit tells maintenance, booting, crashed and no dynos apart', () => {
  assert.deepEqual(admit(anApp({ maintenance: true, dynos: [aDyno({ port: 1 })] })), { kind: 'reject', code: 'H80' });
  assert.deepEqual(admit(anApp({ dynos: [aDyno({ port: 1 }), aDyno({ name: 'web.2', state: 'crashed' })] })), { kind: 'route' });
  assert.deepEqual(admit(anApp({ dynos: [aDyno({ state: 'starting' }), aDyno({ name: 'web.2', state: 'crashed' })] })), { kind: 'wait-boot' });
  assert.deepEqual(admit(anApp({ dynos: [aDyno({ state: 'crashed' })] })), { kind: 'reject', code: 'H10' });
  assert.deepEqual(admit(anApp({ dynos: [aDyno({ state: 'down' })] })), { kind: 'reject', code: 'H14' });
  assert.deepEqual(admit(anApp({ dynos: [] })), { kind: 'reject', code: 'H14' });
  assert.deepEqual(admit(anApp({ dynos: [aDyno({ state: 'up', port: null })] })), { kind: 'reject', code: 'H14' });
});

test('canQueue bounds the queue; parseConcurrency accepts positive integers only', () => {
  assert.equal(canQueue(0, 1), true);
  assert.equal(canQueue(1, 1), false);
  assert.equal(canQueue(0, 0), false);
  assert.equal(parseConcurrency('4'), 4);
  assert.equal(parseConcurrency(' 2 '), 2);
  for (const bad of [undefined, '', '0', '-1', '1.5', 'lots']) assert.equal(parseConcurrency(bad), null, String(bad));
});

test('pickDyno (allocation-free) chooses exactly as the filter-based definition, excluded dynos aside', () => {
  const reference = (loads: DynoLoad[], limit: number | null, r: number): string | undefined => {
    const open = loads.filter((d) => !d.excluded && (limit === null || d.outstanding < limit));
    const healthy = open.filter((d) => !d.quarantined);
    const pool = healthy.length > 0 ? healthy : open;
    if (pool.length === 0) return undefined;
    const min = Math.min(...pool.map((d) => d.outstanding));
    const best = pool.filter((d) => d.outstanding === min);
    return best[Math.min(best.length - 1, Math.floor(r * best.length))].key;
  };
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 2000; i++) {
    const loads = Array.from({ length: Math.floor(rnd() * 6) }, (_, k) => ({
      key: `d${k}`, outstanding: Math.floor(rnd() * 4), quarantined: rnd() < 0.3, excluded: rnd() < 0.2,
    }));
    const limit = rnd() < 0.5 ? null : 1 + Math.floor(rnd() * 3);
    const r = rnd();
    let calls = 0;
    assert.equal(pickDyno(loads, limit, () => (calls++, r)), reference(loads, limit, r), JSON.stringify({ loads, limit, r }));
    assert.ok(calls <= 1, 'random() is called at most once');
  }
});
