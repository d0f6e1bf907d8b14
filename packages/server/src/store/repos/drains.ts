import { randomUUID } from 'node:crypto';
import type { Row } from '../db.js';
import type { DrainRecord, DrainRepo } from '../types.js';
import type { RepoDeps } from './deps.js';
import { toDate, toStr } from './rows.js';

const toDrain = (r: Row): DrainRecord => ({
  id: toStr(r.id),
  appId: toStr(r.app_id),
  url: toStr(r.url),
  token: toStr(r.token),
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
});

export function createDrainRepo({ db, clock }: RepoDeps): DrainRepo {
  return {
    async create(input) {
      const now = clock();
      const row = await db.one(
        'INSERT INTO drains (id, app_id, url, token, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING *',
        [input.id ?? randomUUID(), input.appId, input.url, input.token, now],
      );
      return toDrain(row!);
    },
    async list(appId) {
      return (await db.query('SELECT * FROM drains WHERE app_id = $1 ORDER BY created_at, id', [appId])).map(toDrain);
    },
    async listAll() {
      return (await db.query('SELECT * FROM drains ORDER BY app_id, created_at, id')).map(toDrain);
    },
    async get(appId, idOrUrl) {
      const row = await db.one('SELECT * FROM drains WHERE app_id = $1 AND (id = $2 OR url = $2 OR token = $2)', [appId, idOrUrl]);
      return row && toDrain(row);
    },
    async delete(id) {
      await db.run('DELETE FROM drains WHERE id = $1', [id]);
    },
  };
}
