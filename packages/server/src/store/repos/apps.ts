import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../../errors.js';
import type { Row } from '../db.js';
import { DuplicateError, NameTakenError } from '../errors.js';
import type { AppRecord, AppRepo } from '../types.js';
import type { RepoDeps } from './deps.js';
import { setClause, toBool, toDate, toDateOrNull, toStr } from './rows.js';

const toApp = (r: Row): AppRecord => ({
  id: toStr(r.id),
  name: toStr(r.name),
  ownerId: toStr(r.owner_id),
  region: toStr(r.region),
  stack: toStr(r.stack),
  maintenance: toBool(r.maintenance),
  preboot: toBool(r.preboot),
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
  releasedAt: toDateOrNull(r.released_at),
});

const APP_COLUMNS = {
  name: { column: 'name' },
  maintenance: { column: 'maintenance' },
  preboot: { column: 'preboot' },
  stack: { column: 'stack' },
  releasedAt: { column: 'released_at' },
};

/** A duplicate app name becomes Heroku's `name_taken`. */
async function naming<T>(name: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DuplicateError && err.table === 'apps' && err.columns.includes('name')) throw new NameTakenError(name ?? '');
    throw err;
  }
}

export function createAppRepo({ db, clock }: RepoDeps): AppRepo {
  return {
    async create(input) {
      const now = clock();
      const row = await naming(input.name, () =>
        db.one(
          `INSERT INTO apps (id, name, owner_id, region, stack, maintenance, preboot, created_at, updated_at, released_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) RETURNING *`,
          [input.id ?? randomUUID(), input.name, input.ownerId, input.region, input.stack, input.maintenance, input.preboot, now, input.releasedAt],
        ),
      );
      return toApp(row!);
    },
    async get(id) {
      const row = await db.one('SELECT * FROM apps WHERE id = $1', [id]);
      return row && toApp(row);
    },
    async findByName(name) {
      const row = await db.one('SELECT * FROM apps WHERE name = $1', [name]);
      return row && toApp(row);
    },
    async list() {
      return (await db.query('SELECT * FROM apps ORDER BY name')).map(toApp);
    },
    async listForUser(userId) {
      const rows = await db.query(
        `SELECT * FROM apps a
         WHERE a.owner_id = $1 OR EXISTS (SELECT 1 FROM collaborators c WHERE c.app_id = a.id AND c.user_id = $1)
         ORDER BY a.name`,
        [userId],
      );
      return rows.map(toApp);
    },
    async update(id, patch) {
      const params: unknown[] = [id, clock()];
      const sets = ['updated_at = $2', ...setClause(patch, APP_COLUMNS, params)];
      const row = await naming(patch.name, () => db.one(`UPDATE apps SET ${sets.join(', ')} WHERE id = $1 RETURNING *`, params));
      if (!row) throw new NotFoundError('app');
      return toApp(row);
    },
    async delete(id) {
      await db.tx(async (tx) => {
        // A slug promoted to other apps outlives its app: the first app it was shared with owns it.
        const shared = await tx.query(
          'SELECT DISTINCT s.id FROM slugs s JOIN slug_shares sh ON sh.slug_id = s.id WHERE s.app_id = $1 ORDER BY s.id', [id],
        );
        for (const { id: slugId } of shared) {
          const heir = await tx.one('SELECT app_id FROM slug_shares WHERE slug_id = $1 ORDER BY created_at, app_id LIMIT 1', [slugId]);
          await tx.run('UPDATE slugs SET app_id = $1 WHERE id = $2', [heir!.app_id, slugId]);
          await tx.run('DELETE FROM slug_shares WHERE slug_id = $1 AND app_id = $2', [slugId, heir!.app_id]);
        }
        // Every table that belongs to an app references it ON DELETE CASCADE.
        await tx.run('DELETE FROM apps WHERE id = $1', [id]);
      });
    },
  };
}
