import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../../errors.js';
import type { Row } from '../db.js';
import type { DynoRecord, DynoRepo, DynoState } from '../types.js';
import type { RepoDeps } from './deps.js';
import { fromJson, setClause, toBool, toDate, toInt, toIntOrNull, toJson, toStr, toStrOrNull } from './rows.js';

const toDyno = (r: Row): DynoRecord => ({
  id: toStr(r.id),
  appId: toStr(r.app_id),
  name: toStr(r.name),
  type: toStr(r.type),
  command: toStr(r.command),
  size: toStr(r.size),
  state: toStr(r.state) as DynoState,
  releaseId: toStrOrNull(r.release_id),
  releaseVersion: toIntOrNull(r.release_version),
  host: toStrOrNull(r.host),
  port: toIntOrNull(r.port),
  driverRef: fromJson<Record<string, unknown> | null>(r.driver_ref, null),
  attach: toBool(r.attach),
  restartCount: toInt(r.restart_count),
  exitCode: toIntOrNull(r.exit_code),
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
});

const jsonOrNull = (v: unknown) => (v === null ? null : toJson(v));

const DYNO_COLUMNS = {
  name: { column: 'name' },
  type: { column: 'type' },
  command: { column: 'command' },
  size: { column: 'size' },
  releaseId: { column: 'release_id' },
  releaseVersion: { column: 'release_version' },
  host: { column: 'host' },
  port: { column: 'port' },
  driverRef: { column: 'driver_ref', encode: jsonOrNull },
  attach: { column: 'attach' },
  restartCount: { column: 'restart_count' },
  exitCode: { column: 'exit_code' },
};

/** `web.1, web.2, web.10, worker.1`: by type, then by the number after the dot. */
export function compareDynoNames(a: Pick<DynoRecord, 'appId' | 'type' | 'name'>, b: Pick<DynoRecord, 'appId' | 'type' | 'name'>): number {
  if (a.appId !== b.appId) return a.appId < b.appId ? -1 : 1;
  if (a.type !== b.type) return a.type < b.type ? -1 : 1;
  const na = Number(a.name.slice(a.name.lastIndexOf('.') + 1));
  const nb = Number(b.name.slice(b.name.lastIndexOf('.') + 1));
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Dynos' observed state. `updatedAt` is the since-time `ps` shows: it moves only when `state`
 * changes (or when the caller sets it explicitly).
 */
export function createDynoRepo({ db, clock }: RepoDeps): DynoRepo {
  return {
    /** Inserts, or replaces the dyno of the same app and name (keeping its id and createdAt). */
    async upsert(input) {
      const now = clock();
      const row = await db.one(
        `INSERT INTO dynos (id, app_id, name, type, command, size, state, release_id, release_version, host, port,
           driver_ref, attach, restart_count, exit_code, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)
         ON CONFLICT (app_id, name) DO UPDATE SET
           type = excluded.type, command = excluded.command, size = excluded.size, state = excluded.state,
           release_id = excluded.release_id, release_version = excluded.release_version, host = excluded.host,
           port = excluded.port, driver_ref = excluded.driver_ref, attach = excluded.attach,
           restart_count = excluded.restart_count, exit_code = excluded.exit_code,
           updated_at = CASE WHEN dynos.state = excluded.state THEN dynos.updated_at ELSE excluded.updated_at END
         RETURNING *`,
        [
          input.id ?? randomUUID(), input.appId, input.name, input.type, input.command, input.size, input.state,
          input.releaseId, input.releaseVersion, input.host, input.port, jsonOrNull(input.driverRef), input.attach,
          input.restartCount, input.exitCode, now,
        ],
      );
      return toDyno(row!);
    },
    async get(appId, idOrName) {
      const row = await db.one('SELECT * FROM dynos WHERE app_id = $1 AND (id = $2 OR name = $2)', [appId, idOrName]);
      return row && toDyno(row);
    },
    async list(appId) {
      return (await db.query('SELECT * FROM dynos WHERE app_id = $1', [appId])).map(toDyno).sort(compareDynoNames);
    },
    async listAll() {
      return (await db.query('SELECT * FROM dynos')).map(toDyno).sort(compareDynoNames);
    },
    async update(id, patch) {
      const params: unknown[] = [id];
      const sets = setClause(patch, DYNO_COLUMNS, params);
      if (patch.updatedAt !== undefined) {
        params.push(patch.updatedAt);
        sets.push(`updated_at = $${params.length}`);
      }
      if (patch.state !== undefined) {
        params.push(patch.state);
        const state = `$${params.length}`;
        sets.push(`state = ${state}`);
        if (patch.updatedAt === undefined) {
          // Right-hand sides see the row as it was: updated_at moves only if the state differs.
          params.push(clock());
          sets.push(`updated_at = CASE WHEN state = ${state} THEN updated_at ELSE $${params.length} END`);
        }
      }
      const row = sets.length
        ? await db.one(`UPDATE dynos SET ${sets.join(', ')} WHERE id = $1 RETURNING *`, params)
        : await db.one('SELECT * FROM dynos WHERE id = $1', [id]);
      if (!row) throw new NotFoundError('dyno');
      return toDyno(row);
    },
    async delete(id) {
      await db.run('DELETE FROM dynos WHERE id = $1', [id]);
    },
  };
}
