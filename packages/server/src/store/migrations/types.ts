import type { Dialect } from '../db.js';

/** One versioned schema change, written for both dialects. Versions are never reused or edited. */
export interface Migration {
  version: number;
  name: string;
  sql: Record<Dialect, string>;
}

/** Column types that differ between the dialects; everything else is shared SQL. */
export interface ColumnTypes {
  /** A point in time: ISO-8601 text (SQLite) or timestamptz (PostgreSQL). */
  ts: string;
  bool: string;
  /** JSON is stored as text on both. */
  json: string;
  int: string;
  bigint: string;
  /** An auto-incrementing integer primary key. */
  serial: string;
}

export const COLUMN_TYPES: Record<Dialect, ColumnTypes> = {
  sqlite: { ts: 'TEXT', bool: 'INTEGER', json: 'TEXT', int: 'INTEGER', bigint: 'INTEGER', serial: 'INTEGER PRIMARY KEY AUTOINCREMENT' },
  postgres: { ts: 'TIMESTAMPTZ', bool: 'BOOLEAN', json: 'TEXT', int: 'INTEGER', bigint: 'BIGINT', serial: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY' },
};

/** Writes one migration for both dialects from a template over the column types. */
export function forBoth(version: number, name: string, template: (t: ColumnTypes) => string): Migration {
  return { version, name, sql: { sqlite: template(COLUMN_TYPES.sqlite), postgres: template(COLUMN_TYPES.postgres) } };
}
