import { randomUUID } from 'node:crypto';
import { DEFAULT_DYNO_SIZE } from '@slipway/contract';
import type { Row } from '../db.js';
import type { FormationRecord, FormationRepo } from '../types.js';
import type { RepoDeps } from './deps.js';
import { toDate, toInt, toStr } from './rows.js';

const toFormation = (r: Row): FormationRecord => ({
  id: toStr(r.id),
  appId: toStr(r.app_id),
  type: toStr(r.type),
  quantity: toInt(r.quantity),
  size: toStr(r.size),
  command: toStr(r.command),
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
});

/**
 * One row per process type. `upsert` is one statement: a new type gets quantity 0, the default
 * size and an empty command unless given; an existing one changes only the given fields.
 */
export function createFormationRepo({ db, clock }: RepoDeps): FormationRepo {
  return {
    async list(appId) {
      return (await db.query('SELECT * FROM formations WHERE app_id = $1 ORDER BY type', [appId])).map(toFormation);
    },
    async get(appId, type) {
      const row = await db.one('SELECT * FROM formations WHERE app_id = $1 AND type = $2', [appId, type]);
      return row && toFormation(row);
    },
    async upsert(appId, input) {
      const now = clock();
      const row = await db.one(
        `INSERT INTO formations (id, app_id, type, quantity, size, command, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
         ON CONFLICT (app_id, type) DO UPDATE SET
           quantity = COALESCE($8, formations.quantity),
           size = COALESCE($9, formations.size),
           command = COALESCE($10, formations.command),
           updated_at = excluded.updated_at
         RETURNING *`,
        [
          randomUUID(), appId, input.type, input.quantity ?? 0, input.size ?? DEFAULT_DYNO_SIZE, input.command ?? '', now,
          input.quantity ?? null, input.size ?? null, input.command ?? null,
        ],
      );
      return toFormation(row!);
    },
    async delete(appId, type) {
      await db.run('DELETE FROM formations WHERE app_id = $1 AND type = $2', [appId, type]);
    },
    async listAll() {
      return (await db.query('SELECT * FROM formations ORDER BY app_id, type')).map(toFormation);
    },
  };
}
