/**
 * The tiny SQL abstraction the repositories are written against, once, for both dialects.
 *
 * SQL uses `$1`-style placeholders (PostgreSQL's); the SQLite driver translates them. Timestamps are
 * passed as `Date` (SQLite stores ISO-8601 text, PostgreSQL `timestamptz`), booleans as `boolean`,
 * JSON as text the repositories stringify themselves.
 */
export type Dialect = 'sqlite' | 'postgres';
export type Row = Record<string, unknown>;

export interface Db {
  readonly dialect: Dialect;
  /** True for the handle a transaction hands to its callback. */
  readonly inTransaction: boolean;
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** The first row, or undefined. */
  one<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in one transaction. Called on a transaction's handle, it nests as a savepoint: an
   * error inside rolls back only the nested part (and propagates).
   */
  tx<T>(fn: (db: Db) => Promise<T>): Promise<T>;
}

export interface RootDb extends Db {
  /** Waits for running work, then releases the connection(s). Later calls fail. */
  close(): Promise<void>;
}

/** Thrown when a handle is used after its transaction ended or its store was closed. */
export class DbClosedError extends Error {
  constructor(what: string) {
    super(`store: ${what}`);
    this.name = 'DbClosedError';
  }
}
