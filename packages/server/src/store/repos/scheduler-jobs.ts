import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../../errors.js';
import type { Row } from '../db.js';
import type { SchedulerJobRecord, SchedulerJobRepo } from '../types.js';
import type { RepoDeps } from './deps.js';
import { toDate, toDateOrNull, toInt, toStr } from './rows.js';

const toJob = (r: Row): SchedulerJobRecord => ({
  id: toStr(r.id),
  appId: toStr(r.app_id),
  number: toInt(r.number),
  command: toStr(r.command),
  schedule: toStr(r.schedule),
  size: toStr(r.size),
  nextRunAt: toDate(r.next_run_at),
  lastRunAt: toDateOrNull(r.last_run_at),
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
});

export function createSchedulerJobRepo({ db, clock }: RepoDeps): SchedulerJobRepo {
  return {
    async create(j) {
      const now = clock();
      // The lowest free number, so `scheduler.N` names stay small; the UNIQUE constraint settles races.
      const taken = new Set((await db.query('SELECT number FROM scheduler_jobs WHERE app_id = $1', [j.appId])).map((r) => toInt(r.number)));
      let number = 1;
      while (taken.has(number)) number++;
      const row = await db.one(
        `INSERT INTO scheduler_jobs (id, app_id, number, command, schedule, size, next_run_at, last_run_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $8) RETURNING *`,
        [j.id ?? randomUUID(), j.appId, number, j.command, j.schedule, j.size, j.nextRunAt, now],
      );
      return toJob(row!);
    },
    async list(appId) {
      return (await db.query('SELECT * FROM scheduler_jobs WHERE app_id = $1 ORDER BY number', [appId])).map(toJob);
    },
    async get(appId, id) {
      const row = await db.one('SELECT * FROM scheduler_jobs WHERE app_id = $1 AND id = $2', [appId, id]);
      return row && toJob(row);
    },
    async due(now) {
      return (await db.query('SELECT * FROM scheduler_jobs WHERE next_run_at <= $1 ORDER BY next_run_at, id', [now])).map(toJob);
    },
    async claim(id, expectedNextRunAt, nextRunAt) {
      // Compare-and-set on next_run_at: of two platforms (or ticks) seeing the same due slot, one wins.
      const row = await db.one(
        'UPDATE scheduler_jobs SET next_run_at = $1, last_run_at = $2, updated_at = $3 WHERE id = $4 AND next_run_at = $2 RETURNING *',
        [nextRunAt, expectedNextRunAt, clock(), id],
      );
      return row ? toJob(row) : undefined;
    },
    async delete(appId, id) {
      const row = await db.one('DELETE FROM scheduler_jobs WHERE app_id = $1 AND id = $2 RETURNING *', [appId, id]);
      if (!row) throw new NotFoundError('scheduler job');
      return toJob(row);
    },
    async deleteAll(appId) {
      await db.run('DELETE FROM scheduler_jobs WHERE app_id = $1', [appId]);
    },
  };
}
