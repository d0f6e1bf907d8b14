/**
 * The store room's door. `createStore` opens SQLite (default) or PostgreSQL, applies migrations
 * and returns the Store; the caller owns it and must `close()` it on shutdown.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log/index.js';
import { createMonotonicClock } from './clock.js';
import type { RootDb } from './db.js';
import { migrate } from './migrations/index.js';
import { redactUrl, storeTarget } from './open.js';
import { openPostgresDb } from './postgres-db.js';
import { createSqlStore } from './sql-store.js';
import { openSqliteDb } from './sqlite-db.js';
import type { Store } from './types.js';

export type * from './types.js';
export { DuplicateError, MissingReferenceError, NameTakenError, StoreOpenError } from './errors.js';
export { storeTarget, type StoreTarget } from './open.js';

export interface StoreOptions {
  /** `''` (SQLite in dataDir), `sqlite:/path`, `sqlite::memory:`, or `postgres://…`. */
  databaseUrl: string;
  dataDir: string;
  logger: Logger;
  /** Wall clock for timestamps (tests); the store keeps it strictly increasing. */
  now?: () => Date;
}

export async function createStore(opts: StoreOptions): Promise<Store> {
  const target = storeTarget(opts.databaseUrl, opts.dataDir);
  let db: RootDb;
  if (target.kind === 'sqlite') {
    if (target.file !== ':memory:') mkdirSync(path.dirname(target.file), { recursive: true });
    db = openSqliteDb({ file: target.file, logger: opts.logger });
    opts.logger.info('store.open', { kind: 'sqlite', file: target.file });
  } else {
    db = openPostgresDb({ url: target.url, logger: opts.logger });
    opts.logger.info('store.open', { kind: 'postgres', url: redactUrl(target.url) });
  }
  try {
    await migrate(db, opts.logger);
  } catch (err) {
    await db.close();
    throw err;
  }
  return createSqlStore(db, createMonotonicClock(opts.now));
}
