import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../../errors.js';
import type { Row } from '../db.js';
import type { PipelinePromotionRecord, PromotionRepo, PromotionStatus, PromotionTargetRecord } from '../types.js';
import type { RepoDeps } from './deps.js';
import { setClause, toDate, toStr, toStrOrNull } from './rows.js';

const toPromotion = (r: Row): PipelinePromotionRecord => ({
  id: toStr(r.id),
  pipelineId: toStr(r.pipeline_id),
  sourceAppId: toStr(r.source_app_id),
  sourceReleaseId: toStr(r.source_release_id),
  status: toStr(r.status) as PromotionStatus,
  userId: toStr(r.user_id),
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
});

const toTarget = (r: Row): PromotionTargetRecord => ({
  id: toStr(r.id),
  promotionId: toStr(r.promotion_id),
  appId: toStr(r.app_id),
  status: toStr(r.status) as PromotionStatus,
  releaseId: toStrOrNull(r.release_id),
  errorMessage: toStrOrNull(r.error_message),
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
});

const TARGET_COLUMNS = { status: { column: 'status' }, releaseId: { column: 'release_id' }, errorMessage: { column: 'error_message' } };

/** Pipeline promotions and their per-target results. */
export function createPromotionRepo({ db, clock }: RepoDeps): PromotionRepo {
  return {
    async create(input) {
      return db.tx(async (tx) => {
        const now = clock();
        const row = await tx.one(
          `INSERT INTO pipeline_promotions (id, pipeline_id, source_app_id, source_release_id, status, user_id, created_at, updated_at)
           VALUES ($1, $2, $3, $4, 'pending', $5, $6, $6) RETURNING *`,
          [randomUUID(), input.pipelineId, input.sourceAppId, input.sourceReleaseId, input.userId, now],
        );
        const promotion = toPromotion(row!);
        let ordinal = 0;
        for (const appId of input.targetAppIds) {
          await tx.run(
            `INSERT INTO pipeline_promotion_targets (id, promotion_id, app_id, ordinal, status, release_id, error_message, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'pending', NULL, NULL, $5, $5)`,
            [randomUUID(), promotion.id, appId, ordinal++, now],
          );
        }
        return promotion;
      });
    },
    async get(id) {
      const row = await db.one('SELECT * FROM pipeline_promotions WHERE id = $1', [id]);
      return row && toPromotion(row);
    },
    async targets(promotionId) {
      return (await db.query('SELECT * FROM pipeline_promotion_targets WHERE promotion_id = $1 ORDER BY ordinal', [promotionId])).map(toTarget);
    },
    async updateTarget(id, patch) {
      const params: unknown[] = [];
      const sets = setClause(patch, TARGET_COLUMNS, params);
      params.push(clock());
      sets.push(`updated_at = $${params.length}`);
      params.push(id);
      const row = await db.one(`UPDATE pipeline_promotion_targets SET ${sets.join(', ')} WHERE id = $${params.length} RETURNING *`, params);
      if (!row) throw new NotFoundError('promotion-target');
      return toTarget(row);
    },
    async setStatus(id, status) {
      const row = await db.one('UPDATE pipeline_promotions SET status = $1, updated_at = $2 WHERE id = $3 RETURNING *', [status, clock(), id]);
      if (!row) throw new NotFoundError('pipeline-promotion');
      return toPromotion(row);
    },
  };
}
