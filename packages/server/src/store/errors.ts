/**
 * The store's errors: driver errors for constraint violations are turned into SlipwayErrors with
 * the same shape on both dialects, so callers never look at SQLite or PostgreSQL codes.
 */
import { SlipwayError } from '../errors.js';

/** A UNIQUE or PRIMARY KEY constraint was violated. */
export class DuplicateError extends SlipwayError {
  constructor(
    readonly table: string,
    readonly columns: string[],
    message = `A ${table} record with the same ${columns.join(', ') || 'key'} already exists.`,
  ) {
    super('conflict', message, { resource: table, field: columns[0] });
    this.name = 'DuplicateError';
  }
}

/** A FOREIGN KEY constraint was violated (e.g. a release for an app that does not exist). */
export class MissingReferenceError extends SlipwayError {
  constructor(detail: string) {
    super('invalid_params', `A referenced record does not exist (${detail}).`);
    this.name = 'MissingReferenceError';
  }
}

/** An app name is already used by another app (Heroku's `name_taken`). */
export class NameTakenError extends SlipwayError {
  constructor(name: string) {
    super('name_taken', `Name ${name} is already taken`, { resource: 'app', field: 'name' });
    this.name = 'NameTakenError';
  }
}

/** The database URL could not be understood, or the schema is newer than this code. */
export class StoreOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreOpenError';
  }
}

interface DriverError {
  code?: unknown;
  message?: unknown;
  table?: unknown;
  constraint?: unknown;
  detail?: unknown;
}

/** Maps a better-sqlite3 constraint error to a store error; anything else is returned as is. */
export function fromSqliteError(err: unknown): unknown {
  const e = err as DriverError;
  const message = typeof e?.message === 'string' ? e.message : '';
  if (e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    // "UNIQUE constraint failed: apps.name" or "…: index 'users_email_lower'"
    const cols = /failed: (.+)$/.exec(message)?.[1] ?? '';
    const parts = cols.split(',').map((s) => s.trim()).filter((s) => s.includes('.'));
    const table = parts[0]?.split('.')[0] ?? indexTable(cols);
    return new DuplicateError(table, parts.map((p) => p.split('.')[1]).concat(parts.length ? [] : indexColumns(cols)));
  }
  if (e?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return new MissingReferenceError(message);
  return err;
}

/** Maps a pg constraint error (SQLSTATE 23505, 23503) to a store error. */
export function fromPostgresError(err: unknown): unknown {
  const e = err as DriverError;
  if (e?.code === '23505') {
    const detail = typeof e.detail === 'string' ? e.detail : '';
    const cols = /^Key \((.+?)\)=/.exec(detail)?.[1] ?? '';
    const table = typeof e.table === 'string' ? e.table : indexTable(String(e.constraint ?? ''));
    const columns = cols ? cols.split(',').map((c) => c.trim().replace(/^lower\((.+)\)$/, '$1')) : indexColumns(String(e.constraint ?? ''));
    return new DuplicateError(table, columns);
  }
  if (e?.code === '23503') return new MissingReferenceError(typeof e.detail === 'string' ? e.detail : String(e.message));
  return err;
}

// Expression indexes are named `<table>__<column>_lower` (see migrations) so both dialects can
// report the table and column of a violation on them.
function indexTable(s: string): string {
  return /([a-z_]+)__[a-z_]+_lower/.exec(s)?.[1] ?? 'record';
}
function indexColumns(s: string): string[] {
  const col = /[a-z_]+__([a-z_]+)_lower/.exec(s)?.[1];
  return col ? [col] : [];
}
