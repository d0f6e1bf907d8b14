/**
 * The store contract on PostgreSQL, when SLIPWAY_TEST_DATABASE_URL names a server (CI starts one).
 * Isolation: one fresh database per run (dropped at the end), one fresh schema per case.
 */
import { randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { silentLogger } from '../log/index.js';
import { runStoreContract } from './contract.case.js';
import { createStore } from './index.js';
import { openPostgresDb } from './postgres-db.js';

// eslint-disable-next-line no-restricted-properties -- a test-only switch, not platform config
const serverUrl = process.env.SLIPWAY_TEST_DATABASE_URL ?? '';
const skip = serverUrl === '' ? 'SLIPWAY_TEST_DATABASE_URL is not set: no PostgreSQL server to run the store contract on' : undefined;

const dbName = `slipway_test_${randomUUID().replace(/-/g, '')}`;
const dbUrl = (database: string, schema?: string): string => {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  if (schema) u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
};

let admin: pg.Client | undefined;
let n = 0;

if (!skip) {
  before(async () => {
    const server = new pg.Client({ connectionString: serverUrl });
    await server.connect();
    await server.query(`CREATE DATABASE ${dbName}`);
    await server.end();
    admin = new pg.Client({ connectionString: dbUrl(dbName) });
    await admin.connect();
  });
  after(async () => {
    await admin?.end();
    const server = new pg.Client({ connectionString: serverUrl });
    await server.connect();
    await server.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await server.end();
  });
}

runStoreContract(
  'postgres',
  async () => {
    const schema = `case_${++n}`;
    await admin!.query(`CREATE SCHEMA ${schema}`);
    const open = () => createStore({ databaseUrl: dbUrl(dbName, schema), dataDir: '/nonexistent', logger: silentLogger });
    return { store: await open(), reopen: open };
  },
  { skip },
);

describe('postgres db', { skip: skip ?? false }, () => {
  it('nests transactions as savepoints: a failed inner part rolls back alone and the transaction goes on', async () => {
    await admin!.query('CREATE SCHEMA nested');
    const db = openPostgresDb({ url: dbUrl(dbName, 'nested'), logger: silentLogger });
    try {
      await db.exec('CREATE TABLE t (v INTEGER UNIQUE)');
      await db.tx(async (tx) => {
        await tx.run('INSERT INTO t (v) VALUES ($1)', [1]);
        // A failing statement inside a nested part: without the savepoint PostgreSQL would abort the whole transaction.
        await assert.rejects(tx.tx((inner) => inner.run('INSERT INTO t (v) VALUES ($1)', [1])), { name: 'DuplicateError' });
        await tx.tx((inner) => inner.run('INSERT INTO t (v) VALUES ($1)', [3]));
      });
      assert.deepEqual((await db.query('SELECT v FROM t ORDER BY v')).map((r) => r.v), [1, 3]);
    } finally {
      await db.close();
    }
  });
});
