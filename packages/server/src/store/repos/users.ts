import { randomUUID } from 'node:crypto';
import type { Row } from '../db.js';
import type { UserRecord, UserRepo } from '../types.js';
import type { RepoDeps } from './deps.js';
import { toBool, toDate, toStr } from './rows.js';

const toUser = (r: Row): UserRecord => ({
  id: toStr(r.id),
  email: toStr(r.email),
  admin: toBool(r.admin),
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
});

export function createUserRepo({ db, clock }: RepoDeps): UserRepo {
  return {
    async create(input) {
      const now = clock();
      const row = await db.one(
        'INSERT INTO users (id, email, admin, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING *',
        [input.id ?? randomUUID(), input.email, input.admin, now],
      );
      return toUser(row!);
    },
    async get(id) {
      const row = await db.one('SELECT * FROM users WHERE id = $1', [id]);
      return row && toUser(row);
    },
    /** Case-insensitive, as email addresses are. */
    async findByEmail(email) {
      const row = await db.one('SELECT * FROM users WHERE lower(email) = lower($1)', [email]);
      return row && toUser(row);
    },
    async list() {
      return (await db.query('SELECT * FROM users ORDER BY created_at, email')).map(toUser);
    },
  };
}
