/**
 * Versioned migrations for both dialects. `migrate` runs at open, in one transaction: it records
 * each applied version in `schema_migrations`, skips what is already there (idempotent), and
 * refuses a database whose schema is newer than this code. On PostgreSQL an advisory lock keeps
 * two processes opening the same database from migrating at once.
 */
import type { Logger } from '../../log/index.js';
import type { Db, RootDb } from '../db.js';
import { StoreOpenError } from '../errors.js';
import { initial } from './0001-initial.js';
import { monitors } from './0002-monitors.js';
import { passwords } from './0003-passwords.js';
import { metrics } from './0004-metrics.js';
import { addons } from './0005-addons.js';
import { schedulerJobs } from './0006-scheduler-jobs.js';
import { pipelines } from './0007-pipelines.js';
import { repoConnections } from './0008-repo-connections.js';
import { COLUMN_TYPES, type Migration } from './types.js';

/** Every migration, in order. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  initial, monitors, passwords, metrics, addons,
  schedulerJobs,
  pipelines,
  repoConnections,
];

const PG_LOCK_KEY = 7_373_190_201; // arbitrary, fixed: "slipway migrations"

/** The versions still to apply, given the applied ones. Pure. */
export function pendingMigrations(applied: readonly number[], all: readonly Migration[] = MIGRATIONS): Migration[] {
  const latest = all.reduce((m, x) => Math.max(m, x.version), 0);
  const newer = applied.filter((v) => v > latest);
  if (newer.length > 0) {
    throw new StoreOpenError(`store: the database schema is at v${Math.max(...newer)}, newer than this Slipway (v${latest}); upgrade Slipway`);
  }
  const done = new Set(applied);
  return all.filter((m) => !done.has(m.version)).sort((a, b) => a.version - b.version);
}

export async function migrate(db: RootDb, logger: Logger, now: () => Date = () => new Date()): Promise<number[]> {
  return db.tx(async (tx: Db) => {
    if (tx.dialect === 'postgres') await tx.query('SELECT pg_advisory_xact_lock($1)', [PG_LOCK_KEY]);
    const t = COLUMN_TYPES[tx.dialect];
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version ${t.int} PRIMARY KEY, name TEXT NOT NULL, applied_at ${t.ts} NOT NULL)`);
    const applied = (await tx.query<{ version: unknown }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version));
    const todo = pendingMigrations(applied);
    for (const m of todo) {
      await tx.exec(m.sql[tx.dialect]);
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, now()]);
      logger.info('store.migrated', { version: m.version, name: m.name, dialect: tx.dialect });
    }
    return todo.map((m) => m.version);
  });
}
