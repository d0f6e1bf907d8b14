import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../../errors.js';
import type { Row } from '../db.js';
import type { BuildRecord, BuildRepo, BuildStatus } from '../types.js';
import type { RepoDeps } from './deps.js';
import { fromJson, pageSql, setClause, timeKey, toDate, toJson, toStr, toStrOrNull } from './rows.js';

const toBuild = (r: Row): BuildRecord => ({
  id: toStr(r.id),
  appId: toStr(r.app_id),
  status: toStr(r.status) as BuildStatus,
  sourceUrl: toStr(r.source_url),
  sourceVersion: toStrOrNull(r.source_version),
  sourceChecksum: toStrOrNull(r.source_checksum),
  buildpacks: fromJson<string[]>(r.buildpacks, []),
  slugId: toStrOrNull(r.slug_id),
  releaseId: toStrOrNull(r.release_id),
  userId: toStr(r.user_id),
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
});

const BUILD_COLUMNS = {
  status: { column: 'status' },
  slugId: { column: 'slug_id' },
  releaseId: { column: 'release_id' },
};

export function createBuildRepo({ db, clock }: RepoDeps): BuildRepo {
  return {
    async create(input) {
      const now = clock();
      const row = await db.one(
        `INSERT INTO builds (id, app_id, status, source_url, source_version, source_checksum, buildpacks, slug_id,
           release_id, user_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING *`,
        [
          input.id ?? randomUUID(), input.appId, input.status, input.sourceUrl, input.sourceVersion, input.sourceChecksum,
          toJson(input.buildpacks), input.slugId, input.releaseId, input.userId, now,
        ],
      );
      return toBuild(row!);
    },
    async get(appId, id) {
      const row = await db.one('SELECT * FROM builds WHERE app_id = $1 AND id = $2', [appId, id]);
      return row && toBuild(row);
    },
    /** Paged by creation time (`after` is an ISO timestamp; the store's clock makes them distinct). */
    async list(appId, page) {
      const params: unknown[] = [appId];
      const tail = pageSql(page, 'created_at', params, timeKey, 'id');
      return (await db.query(`SELECT * FROM builds WHERE app_id = $1${tail}`, params)).map(toBuild);
    },
    async update(id, patch) {
      const params: unknown[] = [id, clock()];
      const sets = ['updated_at = $2', ...setClause(patch, BUILD_COLUMNS, params)];
      const row = await db.one(`UPDATE builds SET ${sets.join(', ')} WHERE id = $1 RETURNING *`, params);
      if (!row) throw new NotFoundError('build');
      return toBuild(row);
    },
  };
}
