/** Where the store lives, decided purely from the configured URL and data dir. */
import path from 'node:path';
import { StoreOpenError } from './errors.js';

export type StoreTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

/**
 * - `''` → SQLite at `<dataDir>/slipway.db`
 * - `sqlite::memory:` → an in-memory SQLite database (tests)
 * - `sqlite:/abs/path.db`, `sqlite:///abs/path.db`, `sqlite:rel/path.db` → that file (relative to the cwd)
 * - `postgres://…`, `postgresql://…` → PostgreSQL
 */
export function storeTarget(databaseUrl: string, dataDir: string): StoreTarget {
  const url = databaseUrl.trim();
  if (url === '') return { kind: 'sqlite', file: path.join(path.resolve(dataDir), 'slipway.db') };
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', url };
  if (url.startsWith('sqlite:')) {
    const rest = url.slice('sqlite:'.length);
    if (rest === ':memory:' || rest === '//:memory:') return { kind: 'sqlite', file: ':memory:' };
    const file = rest.startsWith('//') ? rest.slice(2) : rest;
    if (file === '') throw new StoreOpenError('store: sqlite: URL without a path');
    return { kind: 'sqlite', file: path.resolve(file) };
  }
  throw new StoreOpenError('store: expected a postgres:// URL, a sqlite: path, or nothing for the embedded SQLite');
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable url)';
  }
}
