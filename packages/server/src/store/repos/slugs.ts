import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../../errors.js';
import type { Row } from '../db.js';
import type { SlugRecord, SlugRepo } from '../types.js';
import type { RepoDeps } from './deps.js';
import { fromJson, setClause, toDate, toIntOrNull, toJson, toStr, toStrOrNull } from './rows.js';

const toSlug = (r: Row): SlugRecord => ({
  id: toStr(r.id),
  appId: toStr(r.app_id),
  checksum: toStrOrNull(r.checksum),
  size: toIntOrNull(r.size),
  processTypes: fromJson<Record<string, string>>(r.process_types, {}),
  commit: toStrOrNull(r.commit_sha),
  commitDescription: toStrOrNull(r.commit_description),
  buildpackProvidedDescription: toStrOrNull(r.buildpack_provided_description),
  stack: toStr(r.stack),
  blobPath: toStrOrNull(r.blob_path),
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
});

const SLUG_COLUMNS = {
  checksum: { column: 'checksum' },
  size: { column: 'size' },
  blobPath: { column: 'blob_path' },
  processTypes: { column: 'process_types', encode: toJson },
};

export function createSlugRepo({ db, clock }: RepoDeps): SlugRepo {
  return {
    async create(input) {
      const now = clock();
      const row = await db.one(
        `INSERT INTO slugs (id, app_id, checksum, size, process_types, commit_sha, commit_description,
           buildpack_provided_description, stack, blob_path, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING *`,
        [
          input.id ?? randomUUID(), input.appId, input.checksum, input.size, toJson(input.processTypes), input.commit,
          input.commitDescription, input.buildpackProvidedDescription, input.stack, input.blobPath, now,
        ],
      );
      return toSlug(row!);
    },
    async get(appId, id) {
      // The app's own slug, or one shared with it by a pipeline promotion.
      const row = await db.one(
        'SELECT * FROM slugs WHERE id = $2 AND (app_id = $1 OR EXISTS (SELECT 1 FROM slug_shares WHERE slug_id = $2 AND app_id = $1))',
        [appId, id],
      );
      return row && toSlug(row);
    },
    async list(appId) {
      return (await db.query('SELECT * FROM slugs WHERE app_id = $1 ORDER BY created_at, id', [appId])).map(toSlug);
    },
    async update(id, patch) {
      const params: unknown[] = [id, clock()];
      const sets = ['updated_at = $2', ...setClause(patch, SLUG_COLUMNS, params)];
      const row = await db.one(`UPDATE slugs SET ${sets.join(', ')} WHERE id = $1 RETURNING *`, params);
      if (!row) throw new NotFoundError('slug');
      return toSlug(row);
    },
    async share(slugId, appId) {
      const owner = await db.one('SELECT app_id FROM slugs WHERE id = $1', [slugId]);
      if (!owner) throw new NotFoundError('slug');
      if (toStr(owner.app_id) === appId) return;
      await db.run('INSERT INTO slug_shares (slug_id, app_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (slug_id, app_id) DO NOTHING', [slugId, appId, clock()]);
    },
    async sharedWith(slugId) {
      return (await db.query('SELECT app_id FROM slug_shares WHERE slug_id = $1 ORDER BY created_at, app_id', [slugId])).map((r) => toStr(r.app_id));
    },
    async delete(id) {
      await db.run('DELETE FROM slugs WHERE id = $1', [id]);
    },
  };
}
