import { randomUUID } from 'node:crypto';
import type { Row } from '../db.js';
import type { DomainRecord, DomainRepo } from '../types.js';
import type { RepoDeps } from './deps.js';
import { toDate, toStr, toStrOrNull } from './rows.js';

const toDomain = (r: Row): DomainRecord => ({
  id: toStr(r.id),
  appId: toStr(r.app_id),
  hostname: toStr(r.hostname),
  kind: toStr(r.kind) as DomainRecord['kind'],
  cname: toStrOrNull(r.cname),
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
});

/** Hostnames are unique across all apps and matched case-insensitively, as DNS names are. */
export function createDomainRepo({ db, clock }: RepoDeps): DomainRepo {
  return {
    async create(input) {
      const now = clock();
      const row = await db.one(
        'INSERT INTO domains (id, app_id, hostname, kind, cname, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING *',
        [input.id ?? randomUUID(), input.appId, input.hostname, input.kind, input.cname, now],
      );
      return toDomain(row!);
    },
    async list(appId) {
      return (await db.query('SELECT * FROM domains WHERE app_id = $1 ORDER BY created_at, hostname', [appId])).map(toDomain);
    },
    async get(appId, idOrHostname) {
      const row = await db.one('SELECT * FROM domains WHERE app_id = $1 AND (id = $2 OR lower(hostname) = lower($2))', [appId, idOrHostname]);
      return row && toDomain(row);
    },
    async findByHostname(hostname) {
      const row = await db.one('SELECT * FROM domains WHERE lower(hostname) = lower($1)', [hostname]);
      return row && toDomain(row);
    },
    async listAll() {
      return (await db.query('SELECT * FROM domains ORDER BY hostname')).map(toDomain);
    },
    async delete(id) {
      await db.run('DELETE FROM domains WHERE id = $1', [id]);
    },
  };
}
