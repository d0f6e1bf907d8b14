/** Row → record conversions that hide the dialects' differences (0/1 vs boolean, text vs Date, int8 as string). */
import type { Page } from '../types.js';

export const toDate = (v: unknown): Date => (v instanceof Date ? new Date(v.getTime()) : new Date(String(v)));
export const toDateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : toDate(v));
export const toBool = (v: unknown): boolean => v === true || v === 1 || v === 1n || v === '1' || v === 't' || v === 'true';
export const toInt = (v: unknown): number => Number(v);
export const toIntOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
export const toStr = (v: unknown): string => String(v);
export const toStrOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
export function fromJson<T>(v: unknown, fallback: T): T {
  if (v === null || v === undefined) return fallback;
  return JSON.parse(String(v)) as T;
}
export const toJson = (v: unknown): string => JSON.stringify(v);

/** A timestamp key as the database compares it (ISO-8601 text sorts like time on SQLite). */
export function timeKey(v: string | number): Date {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new RangeError(`store: not a timestamp: ${String(v)}`);
  return d;
}

/**
 * Keyset paging: appends `AND col > $n` (or `<` for desc), `ORDER BY col`, `LIMIT $m`.
 * `column` and `tiebreak` are the repository's own constants, never caller input.
 */
export function pageSql(
  page: Page | undefined,
  column: string,
  params: unknown[],
  key: (after: string | number) => unknown,
  tiebreak?: string,
): string {
  const desc = page?.order === 'desc';
  let sql = '';
  if (page?.after !== undefined) {
    params.push(key(page.after));
    sql += ` AND ${column} ${desc ? '<' : '>'} $${params.length}`;
  }
  const dir = desc ? 'DESC' : 'ASC';
  sql += ` ORDER BY ${column} ${dir}${tiebreak ? `, ${tiebreak} ${dir}` : ''}`;
  if (page?.limit !== undefined) {
    params.push(Math.max(0, Math.floor(page.limit)));
    sql += ` LIMIT $${params.length}`;
  }
  return sql;
}

/** Builds `col = $n, …` from a patch, with the columns named by `columns` (record key → column). */
export function setClause(
  patch: Record<string, unknown>,
  columns: Record<string, { column: string; encode?: (v: unknown) => unknown }>,
  params: unknown[],
): string[] {
  const sets: string[] = [];
  for (const [key, value] of Object.entries(patch)) {
    const spec = columns[key];
    if (!spec || value === undefined) continue;
    params.push(spec.encode ? spec.encode(value) : value);
    sets.push(`${spec.column} = $${params.length}`);
  }
  return sets;
}
