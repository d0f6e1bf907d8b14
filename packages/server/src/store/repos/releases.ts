import { randomUUID } from 'node:crypto';
import type { Row } from '../db.js';
import type { ReleaseRecord, ReleaseRepo, ReleaseStatus } from '../types.js';
import { lockApp } from './app-lock.js';
import type { RepoDeps } from './deps.js';
import { fromJson, pageSql, toDate, toInt, toJson, toStr, toStrOrNull } from './rows.js';

const toRelease = (r: Row): ReleaseRecord => ({
  id: toStr(r.id),
  appId: toStr(r.app_id),
  version: toInt(r.version),
  slugId: toStrOrNull(r.slug_id),
  config: fromJson<Record<string, string>>(r.config, {}),
  description: toStr(r.description),
  status: toStr(r.status) as ReleaseStatus,
  userId: toStr(r.user_id),
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
});

const versionKey = (after: string | number): number => {
  const n = Number(after);
  if (!Number.isInteger(n)) throw new RangeError(`store: not a release version: ${String(after)}`);
  return n;
};

export function createReleaseRepo({ db, clock }: RepoDeps): ReleaseRepo {
  return {
    /**
     * Version = max + 1 under the app's lock (PostgreSQL: row lock; SQLite: the write lock), in a
     * transaction of its own or as part of the caller's; UNIQUE(app_id, version) backs it up.
     */
    create: (input) =>
      db.tx(async (tx) => {
        await lockApp(tx, input.appId);
        const next = await tx.one<{ v: unknown }>('SELECT COALESCE(MAX(version), 0) + 1 AS v FROM releases WHERE app_id = $1', [input.appId]);
        const now = clock();
        const row = await tx.one(
          `INSERT INTO releases (id, app_id, version, slug_id, config, description, status, user_id, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING *`,
          [input.id ?? randomUUID(), input.appId, toInt(next!.v), input.slugId, toJson(input.config), input.description, input.status, input.userId, now],
        );
        return toRelease(row!);
      }),
    /** By id, or by version when given a number or a string of digits. */
    async get(appId, idOrVersion) {
      const byVersion = typeof idOrVersion === 'number' || /^\d+$/.test(idOrVersion);
      const row = byVersion
        ? await db.one('SELECT * FROM releases WHERE app_id = $1 AND version = $2', [appId, Number(idOrVersion)])
        : await db.one('SELECT * FROM releases WHERE app_id = $1 AND id = $2', [appId, idOrVersion]);
      return row && toRelease(row);
    },
    async list(appId, page) {
      const params: unknown[] = [appId];
      const tail = pageSql(page, 'version', params, versionKey);
      return (await db.query(`SELECT * FROM releases WHERE app_id = $1${tail}`, params)).map(toRelease);
    },
    async current(appId) {
      const row = await db.one("SELECT * FROM releases WHERE app_id = $1 AND status = 'succeeded' ORDER BY version DESC LIMIT 1", [appId]);
      return row && toRelease(row);
    },
    async setStatus(id, status) {
      await db.run('UPDATE releases SET status = $2, updated_at = $3 WHERE id = $1', [id, status, clock()]);
    },
    async count(appId) {
      const row = await db.one<{ n: unknown }>('SELECT COUNT(*) AS n FROM releases WHERE app_id = $1', [appId]);
      return toInt(row!.n);
    },
  };
}
