import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../log/index.js';
import { StoreOpenError } from '../errors.js';
import { openSqliteDb } from '../sqlite-db.js';
import { MIGRATIONS, migrate, pendingMigrations } from './index.js';
import { forBoth } from './types.js';

describe('migrations', () => {
  it('are numbered from 1, strictly increasing (branches reserve their numbers), with SQL for both dialects', () => {
    const versions = MIGRATIONS.map((m) => m.version);
    assert.equal(versions[0], 1);
    for (let i = 1; i < versions.length; i++) assert.ok(versions[i] > versions[i - 1], `v${versions[i]} after v${versions[i - 1]}`);
    for (const m of MIGRATIONS) {
      assert.ok(m.sql.sqlite.includes('CREATE') && m.sql.postgres.includes('CREATE'));
      assert.ok(!/TIMESTAMPTZ|BOOLEAN|IDENTITY/.test(m.sql.sqlite), 'no PostgreSQL types in the SQLite SQL');
      assert.ok(!/AUTOINCREMENT/.test(m.sql.postgres), 'no SQLite types in the PostgreSQL SQL');
    }
  });

  it('decides what is pending, and refuses a schema newer than the code', () => {
    const all = [forBoth(1, 'a', () => ''), forBoth(2, 'b', () => ''), forBoth(3, 'c', () => '')];
    assert.deepEqual(pendingMigrations([], all).map((m) => m.version), [1, 2, 3]);
    assert.deepEqual(pendingMigrations([1, 2], all).map((m) => m.version), [3]);
    assert.deepEqual(pendingMigrations([1, 2, 3], all), []);
    assert.throws(() => pendingMigrations([1, 2, 3, 4], all), StoreOpenError);
  });

  it('apply once and record each version; a second run applies nothing', async () => {
    const db = openSqliteDb({ file: ':memory:' });
    try {
      assert.deepEqual(await migrate(db, silentLogger), MIGRATIONS.map((m) => m.version));
      assert.deepEqual(await migrate(db, silentLogger), []);
      const rows = await db.query('SELECT version FROM schema_migrations ORDER BY version');
      assert.deepEqual(rows.map((r) => Number(r.version)), MIGRATIONS.map((m) => m.version));
      await db.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [999, 'future', new Date()]);
      await assert.rejects(migrate(db, silentLogger), /newer than this Slipway/);
    } finally {
      await db.close();
    }
  });
});
