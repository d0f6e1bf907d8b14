import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../log/index.js';
import { createMonotonicClock } from './clock.js';
import { createMutex } from './mutex.js';
import { openSqliteDb, toSqlite } from './sqlite-db.js';

describe('toSqlite', () => {
  it('turns $n placeholders into ? with parameters in order of use, and converts values', () => {
    const at = new Date('2030-01-01T00:00:00.000Z');
    assert.deepEqual(toSqlite('SELECT * FROM t WHERE a = $2 OR b = $1 OR c = $2', ['one', 'two']), {
      sql: 'SELECT * FROM t WHERE a = ? OR b = ? OR c = ?',
      params: ['two', 'one', 'two'],
    });
    assert.deepEqual(toSqlite('VALUES ($1, $2, $3, $4, $5)', [at, true, false, undefined, 7]).params, ['2030-01-01T00:00:00.000Z', 1, 0, null, 7]);
    assert.deepEqual(toSqlite('SELECT $10', Array.from({ length: 10 }, (_, i) => i)).params, [9]);
    assert.throws(() => toSqlite('SELECT $2', ['x']), RangeError);
  });
});

describe('sqlite db', () => {
  it('nests transactions as savepoints: a failed inner part rolls back alone', async () => {
    const db = openSqliteDb({ file: ':memory:' });
    try {
      await db.exec('CREATE TABLE t (v INTEGER)');
      await db.tx(async (tx) => {
        await tx.run('INSERT INTO t (v) VALUES ($1)', [1]);
        await assert.rejects(
          tx.tx(async (inner) => {
            await inner.run('INSERT INTO t (v) VALUES ($1)', [2]);
            throw new Error('inner');
          }),
          /inner/,
        );
        await tx.tx((inner) => inner.run('INSERT INTO t (v) VALUES ($1)', [3]));
      });
      assert.deepEqual((await db.query('SELECT v FROM t ORDER BY v')).map((r) => r.v), [1, 3]);
    } finally {
      await db.close();
    }
  });

  it('makes plain calls wait for an open transaction', async () => {
    const db = openSqliteDb({ file: ':memory:' });
    try {
      await db.exec('CREATE TABLE t (v INTEGER)');
      const order: string[] = [];
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const tx = db.tx(async (h) => {
        await h.run('INSERT INTO t (v) VALUES (1)');
        order.push('tx-wrote');
        await gate;
        order.push('tx-end');
      });
      const read = db.query('SELECT v FROM t').then((rows) => order.push(`read:${rows.length}`));
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      release();
      await Promise.all([tx, read]);
      assert.deepEqual(order, ['tx-wrote', 'tx-end', 'read:1']);
    } finally {
      await db.close();
    }
  });
});

describe('sqlite db warnings', () => {
  it('warns once when a plain call is made from inside a transaction (it will wait for it)', async () => {
    const lines: string[] = [];
    const db = openSqliteDb({ file: ':memory:', logger: createLogger({ write: (l) => lines.push(l) }) });
    try {
      let outside: Promise<unknown> | undefined;
      await db.tx(async () => {
        outside = db.query('SELECT 1 AS one');
      });
      assert.deepEqual(await outside, [{ one: 1 }]);
      await db.query('SELECT 1');
      assert.equal(lines.filter((l) => l.includes('at=store.call_waits_for_transaction')).length, 1);
    } finally {
      await db.close();
    }
  });
});

describe('mutex and clock', () => {
  it('runs holders one at a time in FIFO order, even when one fails', async () => {
    const m = createMutex();
    const seen: number[] = [];
    const jobs = [1, 2, 3].map((i) =>
      m.run(async () => {
        seen.push(i);
        await new Promise((r) => setImmediate(r));
        if (i === 2) throw new Error('two');
        seen.push(-i);
      }),
    );
    const results = await Promise.allSettled(jobs);
    assert.deepEqual(seen, [1, -1, 2, 3, -3]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  });

  it('hands out strictly increasing times even when the wall clock stands still', () => {
    const fixed = new Date('2030-01-01T00:00:00.000Z');
    const clock = createMonotonicClock(() => fixed);
    const a = clock();
    const b = clock();
    assert.equal(a.getTime(), fixed.getTime());
    assert.equal(b.getTime(), fixed.getTime() + 1);
  });
});
