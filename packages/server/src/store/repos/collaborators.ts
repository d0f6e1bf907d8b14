import { randomUUID } from 'node:crypto';
import type { Row } from '../db.js';
import type { CollaboratorRecord, CollaboratorRepo } from '../types.js';
import type { RepoDeps } from './deps.js';
import { toDate, toStr } from './rows.js';

const toCollaborator = (r: Row): CollaboratorRecord => ({
  id: toStr(r.id),
  appId: toStr(r.app_id),
  userId: toStr(r.user_id),
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
});

export function createCollaboratorRepo({ db, clock }: RepoDeps): CollaboratorRepo {
  return {
    async add(appId, userId) {
      const now = clock();
      const row = await db.one(
        'INSERT INTO collaborators (id, app_id, user_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING *',
        [randomUUID(), appId, userId, now],
      );
      return toCollaborator(row!);
    },
    async list(appId) {
      return (await db.query('SELECT * FROM collaborators WHERE app_id = $1 ORDER BY created_at, id', [appId])).map(toCollaborator);
    },
    async find(appId, userId) {
      const row = await db.one('SELECT * FROM collaborators WHERE app_id = $1 AND user_id = $2', [appId, userId]);
      return row && toCollaborator(row);
    },
    async remove(appId, userId) {
      await db.run('DELETE FROM collaborators WHERE app_id = $1 AND user_id = $2', [appId, userId]);
    },
  };
}
