import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations/index.js';
import { silentLogger } from '../log/index.js';
import { createStore, StoreOpenError, storeTarget } from './index.js';
import { redactUrl } from './open.js';

describe('storeTarget', () => {
  it('maps database URLs to SQLite files or PostgreSQL', () => {
    assert.deepEqual(storeTarget('', '/data'), { kind: 'sqlite', file: '/data/slipway.db' });
    assert.deepEqual(storeTarget('sqlite::memory:', '/data'), { kind: 'sqlite', file: ':memory:' });
    assert.deepEqual(storeTarget('sqlite:/var/lib/s.db', '/data'), { kind: 'sqlite', file: '/var/lib/s.db' });
    assert.deepEqual(storeTarget('sqlite:///var/lib/s.db', '/data'), { kind: 'sqlite', file: '/var/lib/s.db' });
    assert.deepEqual(storeTarget('sqlite:rel/s.db', '/data'), { kind: 'sqlite', file: path.resolve('rel/s.db') });
    assert.deepEqual(storeTarget('postgres://u:p@h:5432/db', '/data'), { kind: 'postgres', url: 'postgres://u:p@h:5432/db' });
    assert.deepEqual(storeTarget('postgresql://h/db', '/data'), { kind: 'postgres', url: 'postgresql://h/db' });
    assert.throws(() => storeTarget('mysql://h/db', '/data'), StoreOpenError);
    assert.throws(() => storeTarget('sqlite:', '/data'), StoreOpenError);
  });

  it('redacts passwords for logs', () => {
    assert.equal(redactUrl('postgres://u:secret@h:5432/db'), 'postgres://u:***@h:5432/db');
    assert.equal(redactUrl('postgres://h/db'), 'postgres://h/db');
  });
});

describe('createStore on SQLite', () => {
  it('creates the data dir and a WAL-mode file with foreign keys on', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'slipway-open-'));
    try {
      const dataDir = path.join(root, 'nested', 'data');
      const store = await createStore({ databaseUrl: '', dataDir, logger: silentLogger });
      assert.equal(store.kind, 'sqlite');
      await store.users.create({ email: 'a@example.com', admin: true });
      const file = path.join(dataDir, 'slipway.db');
      assert.ok(existsSync(file));
      const peek = new Database(file, { readonly: true });
      try {
        assert.equal(peek.pragma('journal_mode', { simple: true }), 'wal');
        assert.deepEqual(peek.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all(), MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
      } finally {
        peek.close();
      }
      // Foreign keys are enforced: a release for an app that does not exist is refused.
      await assert.rejects(
        store.releases.create({ appId: 'nope', slugId: null, config: {}, description: 'x', status: 'succeeded', userId: 'nope' }),
        { name: 'MissingReferenceError', code: 'invalid_params' },
      );
      await store.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('opens sqlite::memory: and an explicit sqlite: file', async () => {
    const mem = await createStore({ databaseUrl: 'sqlite::memory:', dataDir: '/nonexistent', logger: silentLogger });
    assert.deepEqual(await mem.apps.list(), []);
    await mem.close();
    const root = mkdtempSync(path.join(tmpdir(), 'slipway-open-'));
    try {
      const file = path.join(root, 'sub', 'x.db');
      const store = await createStore({ databaseUrl: `sqlite:${file}`, dataDir: '/nonexistent', logger: silentLogger });
      await store.close();
      assert.ok(existsSync(file));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
