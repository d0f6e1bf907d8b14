import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../../errors.js';
import type { Row } from '../db.js';
import type { PipelineCouplingRecord, PipelineRecord, PipelineRepo, PipelineStage } from '../types.js';
import type { RepoDeps } from './deps.js';
import { setClause, toDate, toStr } from './rows.js';

const toPipeline = (r: Row): PipelineRecord => ({
  id: toStr(r.id),
  name: toStr(r.name),
  ownerId: toStr(r.owner_id),
  ownerType: toStr(r.owner_type),
  generation: toStr(r.generation),
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
});

const toCoupling = (r: Row): PipelineCouplingRecord => ({
  id: toStr(r.id),
  pipelineId: toStr(r.pipeline_id),
  appId: toStr(r.app_id),
  stage: toStr(r.stage) as PipelineStage,
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
});

const PIPELINE_COLUMNS = { name: { column: 'name' }, ownerId: { column: 'owner_id' }, ownerType: { column: 'owner_type' } };

/** Pipelines and their couplings (an app is in at most one pipeline: a UNIQUE app_id). */
export function createPipelineRepo({ db, clock }: RepoDeps): PipelineRepo {
  return {
    async create(input) {
      const now = clock();
      const row = await db.one(
        'INSERT INTO pipelines (id, name, owner_id, owner_type, generation, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING *',
        [input.id ?? randomUUID(), input.name, input.ownerId, input.ownerType, input.generation, now],
      );
      return toPipeline(row!);
    },
    async get(id) {
      const row = await db.one('SELECT * FROM pipelines WHERE id = $1', [id]);
      return row && toPipeline(row);
    },
    async findByName(name) {
      return (await db.query('SELECT * FROM pipelines WHERE name = $1 ORDER BY created_at, id', [name])).map(toPipeline);
    },
    async list() {
      return (await db.query('SELECT * FROM pipelines ORDER BY name, created_at, id')).map(toPipeline);
    },
    async update(id, patch) {
      const params: unknown[] = [];
      const sets = setClause(patch, PIPELINE_COLUMNS, params);
      params.push(clock());
      sets.push(`updated_at = $${params.length}`);
      params.push(id);
      const row = await db.one(`UPDATE pipelines SET ${sets.join(', ')} WHERE id = $${params.length} RETURNING *`, params);
      if (!row) throw new NotFoundError('pipeline');
      return toPipeline(row);
    },
    async delete(id) {
      await db.run('DELETE FROM pipelines WHERE id = $1', [id]);
    },

    async couple(input) {
      const now = clock();
      const row = await db.one(
        'INSERT INTO pipeline_couplings (id, pipeline_id, app_id, stage, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING *',
        [randomUUID(), input.pipelineId, input.appId, input.stage, now],
      );
      return toCoupling(row!);
    },
    async coupling(id) {
      const row = await db.one('SELECT * FROM pipeline_couplings WHERE id = $1', [id]);
      return row && toCoupling(row);
    },
    async couplingForApp(appId) {
      const row = await db.one('SELECT * FROM pipeline_couplings WHERE app_id = $1', [appId]);
      return row && toCoupling(row);
    },
    async couplings(pipelineId) {
      return (await db.query('SELECT * FROM pipeline_couplings WHERE pipeline_id = $1 ORDER BY created_at, id', [pipelineId])).map(toCoupling);
    },
    async setStage(couplingId, stage) {
      const row = await db.one('UPDATE pipeline_couplings SET stage = $1, updated_at = $2 WHERE id = $3 RETURNING *', [stage, clock(), couplingId]);
      if (!row) throw new NotFoundError('pipeline-coupling');
      return toCoupling(row);
    },
    async uncouple(couplingId) {
      await db.run('DELETE FROM pipeline_couplings WHERE id = $1', [couplingId]);
    },
  };
}
