/**
 * The API suites again, on PostgreSQL instead of in-memory SQLite: auth, isolation between users,
 * collaborators, validation of every endpoint, pagination and release numbering under concurrent
 * config changes. Runs when SLIPWAY_TEST_DATABASE_URL names a server (CI starts one); one fresh
 * database per run (dropped at the end), one fresh schema per API the suites start.
 *
 * The suites are not copied: this file points `startTestApi` at PostgreSQL, then imports them.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import pg from 'pg';
import { useTestApiDatabase } from '../../test/helpers/api-server.js';

// eslint-disable-next-line no-restricted-properties -- a test-only switch, not platform config
const serverUrl = process.env.SLIPWAY_TEST_DATABASE_URL ?? '';
const SUITES = ['./auth.test.js', './session.test.js', './apps.test.js', './releases.test.js', './validation.test.js', './metrics.test.js', './features.test.js', './addons.test.js'];

if (serverUrl === '') {
  test('API suites on PostgreSQL', { skip: 'SLIPWAY_TEST_DATABASE_URL is not set: no PostgreSQL server to run the API suites on' }, () => {});
} else {
  const dbName = `slipway_api_test_${randomUUID().replace(/-/g, '')}`;
  const dbUrl = (database: string, schema?: string): string => {
    const u = new URL(serverUrl);
    u.pathname = `/${database}`;
    if (schema) u.searchParams.set('options', `-c search_path=${schema}`);
    return u.toString();
  };
  const onServer = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };

  await onServer(`CREATE DATABASE ${dbName}`);
  const admin = new pg.Client({ connectionString: dbUrl(dbName) });
  await admin.connect();
  let n = 0;
  useTestApiDatabase(async () => {
    const schema = `api_${++n}`;
    await admin.query(`CREATE SCHEMA ${schema}`);
    return dbUrl(dbName, schema);
  });

  try {
    for (const suite of SUITES) await import(suite);
  } catch (err) {
    await admin.end();
    await onServer(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    throw err;
  }

  test('the suites above ran on PostgreSQL (one schema per API they started)', async () => {
    const { rows } = await admin.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema LIKE 'api\\_%' AND table_name = 'apps'");
    assert.ok(n >= SUITES.length, `only ${n} APIs were started on PostgreSQL`);
    assert.equal(rows[0].n, n);
  });

  // Registered after the suites' own `after` hooks (which close their stores), so it runs last.
  after(async () => {
    useTestApiDatabase(undefined);
    await admin.end();
    await onServer(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  });
}
