/**
 * The SQLite driver (better-sqlite3): one connection, every call serialised through an async mutex.
 * A transaction holds the mutex from BEGIN IMMEDIATE to COMMIT, so calls on the store's own
 * handle wait for it instead of interleaving with it on the shared connection.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import Database from 'better-sqlite3';
import type { Logger } from '../log/index.js';
import type { Db, RootDb, Row } from './db.js';
import { DbClosedError } from './db.js';
import { fromSqliteError } from './errors.js';
import { createMutex } from './mutex.js';

export interface SqliteOptions {
  /** A file path, or `:memory:`. */
  file: string;
  busyTimeoutMs?: number;
  /** Warned when a call on the store's own handle is made from inside a transaction (it waits for it). */
  logger?: Logger;
}

/** `$1`… placeholders become positional `?`s, with the parameters repeated in order of use. */
export function toSqlite(sql: string, params: readonly unknown[]): { sql: string; params: unknown[] } {
  const out: unknown[] = [];
  const text = sql.replace(/\$(\d+)/g, (_m, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= params.length) throw new RangeError(`store: placeholder $${n} has no parameter`);
    out.push(toSqliteValue(params[i]));
    return '?';
  });
  return { sql: text, params: out };
}

function toSqliteValue(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v;
}

export function openSqliteDb(opts: SqliteOptions): RootDb {
  const conn = new Database(opts.file);
  conn.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
  if (opts.file !== ':memory:') {
    conn.pragma('journal_mode = WAL');
    conn.pragma('synchronous = NORMAL');
  }
  conn.pragma('foreign_keys = ON');

  const mutex = createMutex();
  const cache = new Map<string, Database.Statement>();
  let closed = false;
  let savepoints = 0;
  // Marks the async context of a running transaction, to name the likely deadlock below.
  const inTx = new AsyncLocalStorage<true>();
  let warned = false;

  const prepare = (sql: string): Database.Statement => {
    let st = cache.get(sql);
    if (!st) {
      st = conn.prepare(sql);
      if (cache.size > 500) cache.clear();
      cache.set(sql, st);
    }
    return st;
  };
  const guard = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw fromSqliteError(err);
    }
  };
  const all = (sql: string, params: readonly unknown[] = []): Row[] =>
    guard(() => {
      const q = toSqlite(sql, params);
      const st = prepare(q.sql);
      if (st.reader) return st.all(...q.params) as Row[];
      st.run(...q.params);
      return [];
    });
  const change = (sql: string, params: readonly unknown[] = []): number =>
    guard(() => {
      const q = toSqlite(sql, params);
      const st = prepare(q.sql);
      if (st.reader) return st.all(...q.params).length;
      return st.run(...q.params).changes;
    });

  /** The handle a transaction gives its callback: no mutex (it holds it), dead once it ends. */
  const txHandle = (): { db: Db; end(): void } => {
    let active = true;
    const check = () => {
      if (!active) throw new DbClosedError('transaction handle used after its transaction ended');
    };
    const db: Db = {
      dialect: 'sqlite',
      inTransaction: true,
      query: async <T extends Row>(sql: string, params?: readonly unknown[]) => (check(), all(sql, params) as T[]),
      one: async <T extends Row>(sql: string, params?: readonly unknown[]) => (check(), all(sql, params)[0] as T | undefined),
      run: async (sql, params) => (check(), change(sql, params)),
      exec: async (sql) => (check(), guard(() => void conn.exec(sql))),
      async tx(fn) {
        check();
        const name = `sp_${++savepoints}`;
        conn.exec(`SAVEPOINT ${name}`);
        try {
          const result = await fn(db);
          conn.exec(`RELEASE ${name}`);
          return result;
        } catch (err) {
          conn.exec(`ROLLBACK TO ${name}`);
          conn.exec(`RELEASE ${name}`);
          throw err;
        }
      },
    };
    return { db, end: () => void (active = false) };
  };

  const locked = <T>(fn: () => T | Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(new DbClosedError('the store is closed'));
    if (inTx.getStore() && !warned) {
      warned = true;
      opts.logger?.warn('store.call_waits_for_transaction', {
        hint: 'a call on the store (not the tx repos) from inside store.transaction() waits for it to end; awaiting it there deadlocks',
        stack: new Error().stack?.split('\n').slice(2, 6).map((l) => l.trim()).join(' | '),
      });
    }
    return mutex.run(() => {
      if (closed) throw new DbClosedError('the store is closed');
      return fn();
    });
  };

  return {
    dialect: 'sqlite',
    inTransaction: false,
    query: <T extends Row>(sql: string, params?: readonly unknown[]) => locked(() => all(sql, params) as T[]),
    one: <T extends Row>(sql: string, params?: readonly unknown[]) => locked(() => all(sql, params)[0] as T | undefined),
    run: (sql, params) => locked(() => change(sql, params)),
    exec: (sql) => locked(() => guard(() => void conn.exec(sql))),
    tx: (fn) =>
      locked(async () => {
        conn.exec('BEGIN IMMEDIATE');
        const handle = txHandle();
        try {
          const result = await inTx.run(true, () => fn(handle.db));
          handle.end();
          conn.exec('COMMIT');
          return result;
        } catch (err) {
          handle.end();
          if (conn.inTransaction) conn.exec('ROLLBACK');
          throw err;
        }
      }),
    async close() {
      if (closed) return;
      await mutex.run(() => {
        closed = true;
        cache.clear();
        conn.close();
      });
    },
  };
}
