import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBatcher } from './batch.js';
import { createNetworkLock } from './network.js';

/** Holds the lock until released (another dyno's rules being written); resolves once it holds it. */
async function holder(lock: ReturnType<typeof createNetworkLock>): Promise<{ release: () => void }> {
  let release = () => {};
  await new Promise<void>((held) => {
    void lock(() => new Promise<void>((r) => {
      release = r;
      held();
    }));
  });
  return { release };
}

describe('createBatcher', () => {
  it('requests made while the lock is held go in one batch', async () => {
    const lock = createNetworkLock();
    const batches: number[][] = [];
    const open = createBatcher(async (items: number[]) => {
      batches.push(items);
      return items.map(() => null);
    }, lock);
    const busy = await holder(lock);
    const all = Promise.all(Array.from({ length: 10 }, (_, i) => open(i)));
    busy.release();
    await all;
    assert.deepEqual(batches, [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]);
  });

  it('requests made while a batch is applied go in the next one', async () => {
    const lock = createNetworkLock();
    const batches: number[][] = [];
    let proceed = () => {};
    const gate = new Promise<void>((r) => (proceed = r));
    const open = createBatcher(async (items: number[]) => {
      batches.push(items);
      if (batches.length === 1) await gate;
      return items.map(() => null);
    }, lock);
    const first = open(1);
    await new Promise((r) => setImmediate(r));
    const later = [open(2), open(3), open(4)];
    proceed();
    await Promise.all([first, ...later]);
    assert.deepEqual(batches, [[1], [2, 3, 4]]);
  });

  it('rejects only the request whose item failed', async () => {
    const lock = createNetworkLock();
    const open = createBatcher(async (items: string[]) => items.map((s) => (s === 'bad' ? new Error(`refused ${s}`) : null)), lock);
    const busy = await holder(lock);
    const results = Promise.allSettled([open('a'), open('bad'), open('c')]);
    busy.release();
    const [a, bad, c] = await results;
    assert.equal(a.status, 'fulfilled');
    assert.equal(c.status, 'fulfilled');
    assert.equal(bad.status, 'rejected');
    assert.match(String((bad as PromiseRejectedResult).reason), /refused bad/);
  });

  it('a throw rejects the whole batch, and the next batch still runs', async () => {
    const lock = createNetworkLock();
    let calls = 0;
    const open = createBatcher(async (items: number[]) => {
      calls++;
      if (calls === 1) throw new Error('iptables-restore: lock held');
      return items.map(() => null);
    }, lock);
    await assert.rejects(open(1), /lock held/);
    await open(2);
    assert.equal(calls, 2);
  });
});
