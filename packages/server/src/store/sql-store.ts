/** A Store over a RootDb: the repositories on the store's handle, transactions on a tx handle. */
import type { Clock } from './clock.js';
import type { RootDb } from './db.js';
import { createRepos } from './repos/index.js';
import type { Store } from './types.js';

export function createSqlStore(db: RootDb, clock: Clock): Store {
  return {
    kind: db.dialect,
    ...createRepos({ db, clock }),
    transaction: (fn) => db.tx((tx) => fn(createRepos({ db: tx, clock }))),
    close: () => db.close(),
  };
}
