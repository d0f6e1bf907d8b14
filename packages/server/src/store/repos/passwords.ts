import type { PasswordRepo } from '../types.js';
import type { RepoDeps } from './deps.js';
import { toStr } from './rows.js';

export function createPasswordRepo({ db, clock }: RepoDeps): PasswordRepo {
  return {
    async get(userId) {
      const row = await db.one('SELECT hash FROM passwords WHERE user_id = $1', [userId]);
      return row ? toStr(row.hash) : undefined;
    },
    async set(userId, hash) {
      await db.run(
        'INSERT INTO passwords (user_id, hash, updated_at) VALUES ($1, $2, $3) ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at',
        [userId, hash, clock()],
      );
    },
  };
}
