import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../../errors.js';
import type { Row } from '../db.js';
import type { PipelineRepoRecord, ReviewAppConfigRecord, ReviewAppRecord, ReviewAppRepo, ReviewAppStatus } from '../types.js';
import type { RepoDeps } from './deps.js';
import { toBool, toDate, toStr, toStrOrNull } from './rows.js';

const toRepo = (r: Row): PipelineRepoRecord => ({
  pipelineId: toStr(r.pipeline_id), repoUrl: toStr(r.repo_url), webhookSecret: toStr(r.webhook_secret), userId: toStr(r.user_id),
  ciApiUrl: toStrOrNull(r.ci_api_url), ciToken: toStrOrNull(r.ci_token),
  createdAt: toDate(r.created_at), updatedAt: toDate(r.updated_at),
});
const toConfig = (r: Row): ReviewAppConfigRecord => ({
  pipelineId: toStr(r.pipeline_id), automaticReviewApps: toBool(r.automatic_review_apps), destroyStaleApps: toBool(r.destroy_stale_apps),
  waitForCi: toBool(r.wait_for_ci), createdAt: toDate(r.created_at), updatedAt: toDate(r.updated_at),
});
const toReviewApp = (r: Row): ReviewAppRecord => ({
  id: toStr(r.id), pipelineId: toStr(r.pipeline_id), appId: toStrOrNull(r.app_id), branch: toStr(r.branch), status: toStr(r.status) as ReviewAppStatus,
  message: toStrOrNull(r.message), commit: toStrOrNull(r.commit_sha), userId: toStr(r.user_id), lastPushAt: toDate(r.last_push_at),
  createdAt: toDate(r.created_at), updatedAt: toDate(r.updated_at),
});

/** Record field → column, for the fields `update` may change (the repository's own constants). */
const COLUMNS = { appId: 'app_id', status: 'status', message: 'message', commit: 'commit_sha', lastPushAt: 'last_push_at' } as const;

/** Review apps: a pipeline's repository, its review-app settings, and one review app per branch. */
export function createReviewAppRepo({ db, clock }: RepoDeps): ReviewAppRepo {
  return {
    async getRepo(pipelineId) {
      const row = await db.one('SELECT * FROM pipeline_repos WHERE pipeline_id = $1', [pipelineId]);
      return row && toRepo(row);
    },
    async putRepo(c) {
      const row = await db.one(
        `INSERT INTO pipeline_repos (pipeline_id, repo_url, webhook_secret, ci_api_url, ci_token, user_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
         ON CONFLICT (pipeline_id) DO UPDATE SET repo_url = excluded.repo_url, webhook_secret = excluded.webhook_secret, ci_api_url = excluded.ci_api_url,
           ci_token = excluded.ci_token, user_id = excluded.user_id, updated_at = excluded.updated_at
         RETURNING *`,
        [c.pipelineId, c.repoUrl, c.webhookSecret, c.ciApiUrl, c.ciToken, c.userId, clock()],
      );
      return toRepo(row!);
    },
    async deleteRepo(pipelineId) {
      await db.run('DELETE FROM pipeline_repos WHERE pipeline_id = $1', [pipelineId]);
      await db.run('DELETE FROM pipeline_repo_deliveries WHERE pipeline_id = $1', [pipelineId]);
    },
    async recordDelivery(pipelineId, deliveryId) {
      const row = await db.one(
        'INSERT INTO pipeline_repo_deliveries (pipeline_id, delivery_id, received_at) VALUES ($1, $2, $3) ON CONFLICT (pipeline_id, delivery_id) DO NOTHING RETURNING pipeline_id',
        [pipelineId, deliveryId, clock()],
      );
      return row !== undefined;
    },
    async getConfig(pipelineId) {
      const row = await db.one('SELECT * FROM review_app_configs WHERE pipeline_id = $1', [pipelineId]);
      return row && toConfig(row);
    },
    async putConfig(c) {
      const row = await db.one(
        `INSERT INTO review_app_configs (pipeline_id, automatic_review_apps, destroy_stale_apps, wait_for_ci, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
         ON CONFLICT (pipeline_id) DO UPDATE SET automatic_review_apps = excluded.automatic_review_apps, destroy_stale_apps = excluded.destroy_stale_apps,
           wait_for_ci = excluded.wait_for_ci, updated_at = excluded.updated_at
         RETURNING *`,
        [c.pipelineId, c.automaticReviewApps, c.destroyStaleApps, c.waitForCi, clock()],
      );
      return toConfig(row!);
    },
    async deleteConfig(pipelineId) {
      await db.run('DELETE FROM review_app_configs WHERE pipeline_id = $1', [pipelineId]);
    },
    async create(input) {
      const now = clock();
      const row = await db.one(
        `INSERT INTO review_apps (id, pipeline_id, app_id, branch, status, message, commit_sha, user_id, last_push_at, created_at, updated_at)
         VALUES ($1, $2, NULL, $3, $4, NULL, $5, $6, $7, $7, $7) RETURNING *`,
        [randomUUID(), input.pipelineId, input.branch, input.status, input.commit, input.userId, now],
      );
      return toReviewApp(row!);
    },
    async get(id) {
      const row = await db.one('SELECT * FROM review_apps WHERE id = $1', [id]);
      return row && toReviewApp(row);
    },
    async findByBranch(pipelineId, branch) {
      const row = await db.one('SELECT * FROM review_apps WHERE pipeline_id = $1 AND branch = $2', [pipelineId, branch]);
      return row && toReviewApp(row);
    },
    async findByApp(appId) {
      const row = await db.one('SELECT * FROM review_apps WHERE app_id = $1', [appId]);
      return row && toReviewApp(row);
    },
    async list(pipelineId) {
      return (await db.query('SELECT * FROM review_apps WHERE pipeline_id = $1 ORDER BY created_at, id', [pipelineId])).map(toReviewApp);
    },
    async update(id, patch) {
      const sets: string[] = [];
      const params: unknown[] = [];
      for (const [field, column] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, string][]) {
        if (patch[field] === undefined) continue;
        params.push(patch[field]);
        sets.push(`${column} = $${params.length}`);
      }
      params.push(clock());
      sets.push(`updated_at = $${params.length}`);
      params.push(id);
      const row = await db.one(`UPDATE review_apps SET ${sets.join(', ')} WHERE id = $${params.length} RETURNING *`, params);
      if (!row) throw new NotFoundError('review-app');
      return toReviewApp(row);
    },
    async delete(id) {
      await db.run('DELETE FROM review_apps WHERE id = $1', [id]);
    },
    async listStale(before) {
      const rows = await db.query(
        `SELECT r.* FROM review_apps r JOIN review_app_configs c ON c.pipeline_id = r.pipeline_id
         WHERE c.destroy_stale_apps = $1 AND r.last_push_at < $2 AND r.status <> 'deleting' ORDER BY r.last_push_at`,
        [true, before],
      );
      return rows.map(toReviewApp);
    },
  };
}
