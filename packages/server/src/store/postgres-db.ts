/**
 * The PostgreSQL driver (pg): a pool for plain calls; each transaction gets a dedicated pool client
 * between BEGIN and COMMIT (nested ones become savepoints on that client).
 */
import pg from 'pg';
import type { Logger } from '../log/index.js';
import type { Db, RootDb, Row } from './db.js';
import { DbClosedError } from './db.js';
import { fromPostgresError } from './errors.js';

export interface PostgresOptions {
  url: string;
  logger: Logger;
  /** Pool size; transactions hold one client each while they run. */
  max?: number;
}

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

async function rows(on: Queryable, sql: string, params: readonly unknown[] = []): Promise<pg.QueryResult<Row>> {
  try {
    return await on.query<Row>(sql, params.map((v) => (v === undefined ? null : v)));
  } catch (err) {
    throw fromPostgresError(err);
  }
}

export function openPostgresDb(opts: PostgresOptions): RootDb {
  const pool = new pg.Pool({ connectionString: opts.url, max: opts.max ?? 10 });
  // An idle client losing its connection must not crash the process: log it, the pool replaces it.
  pool.on('error', (err) => opts.logger.error('store.pool_error', { error: err.message }));
  let closed = false;

  const alive = () => {
    if (closed) throw new DbClosedError('the store is closed');
  };

  const txHandle = (client: pg.PoolClient): { db: Db; end(): void } => {
    let active = true;
    let savepoints = 0;
    const check = () => {
      if (!active) throw new DbClosedError('transaction handle used after its transaction ended');
    };
    const db: Db = {
      dialect: 'postgres',
      inTransaction: true,
      query: async <T extends Row>(sql: string, params?: readonly unknown[]) => (check(), (await rows(client, sql, params)).rows as T[]),
      one: async <T extends Row>(sql: string, params?: readonly unknown[]) => (check(), (await rows(client, sql, params)).rows[0] as T | undefined),
      run: async (sql, params) => (check(), (await rows(client, sql, params)).rowCount ?? 0),
      exec: async (sql) => (check(), void (await rows(client, sql))),
      async tx(fn) {
        check();
        const name = `sp_${++savepoints}`;
        await client.query(`SAVEPOINT ${name}`);
        try {
          const result = await fn(db);
          await client.query(`RELEASE SAVEPOINT ${name}`);
          return result;
        } catch (err) {
          await client.query(`ROLLBACK TO SAVEPOINT ${name}`);
          throw err;
        }
      },
    };
    return { db, end: () => void (active = false) };
  };

  return {
    dialect: 'postgres',
    inTransaction: false,
    query: async <T extends Row>(sql: string, params?: readonly unknown[]) => (alive(), (await rows(pool, sql, params)).rows as T[]),
    one: async <T extends Row>(sql: string, params?: readonly unknown[]) => (alive(), (await rows(pool, sql, params)).rows[0] as T | undefined),
    run: async (sql, params) => (alive(), (await rows(pool, sql, params)).rowCount ?? 0),
    exec: async (sql) => (alive(), void (await rows(pool, sql))),
    async tx(fn) {
      alive();
      const client = await pool.connect();
      const handle = txHandle(client);
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await fn(handle.db);
        handle.end();
        await client.query('COMMIT');
        return result;
      } catch (err) {
        handle.end();
        try {
          await client.query('ROLLBACK');
        } catch (rollbackErr) {
          broken = rollbackErr as Error;
        }
        throw fromPostgresError(err);
      } finally {
        // A client whose rollback failed is in an unknown state: destroy it instead of reusing it.
        client.release(broken);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
