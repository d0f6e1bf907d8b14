import { randomUUID } from 'node:crypto';
import type { Row } from '../db.js';
import type { TokenRecord, TokenRepo } from '../types.js';
import type { RepoDeps } from './deps.js';
import { toDate, toDateOrNull, toStr } from './rows.js';

const toToken = (r: Row): TokenRecord => ({
  id: toStr(r.id),
  userId: toStr(r.user_id),
  tokenHash: toStr(r.token_hash),
  description: toStr(r.description),
  createdAt: toDate(r.created_at),
  lastUsedAt: toDateOrNull(r.last_used_at),
});

export function createTokenRepo({ db, clock }: RepoDeps): TokenRepo {
  return {
    async create(input) {
      const row = await db.one(
        'INSERT INTO tokens (id, user_id, token_hash, description, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING *',
        [randomUUID(), input.userId, input.tokenHash, input.description, clock()],
      );
      return toToken(row!);
    },
    async findByHash(tokenHash) {
      const row = await db.one('SELECT * FROM tokens WHERE token_hash = $1', [tokenHash]);
      return row && toToken(row);
    },
    async listForUser(userId) {
      return (await db.query('SELECT * FROM tokens WHERE user_id = $1 ORDER BY created_at, id', [userId])).map(toToken);
    },
    async touch(id, at) {
      await db.run('UPDATE tokens SET last_used_at = $2 WHERE id = $1', [id, at]);
    },
    async delete(id) {
      await db.run('DELETE FROM tokens WHERE id = $1', [id]);
    },
  };
}
