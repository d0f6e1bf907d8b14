import type { Row } from '../db.js';
import type { RepoConnectionRecord, RepoConnectionRepo } from '../types.js';
import type { RepoDeps } from './deps.js';
import { toBool, toDate, toStr, toStrOrNull } from './rows.js';

const toConnection = (r: Row): RepoConnectionRecord => ({
  appId: toStr(r.app_id),
  repoUrl: toStr(r.repo_url),
  branch: toStr(r.branch),
  webhookSecret: toStr(r.webhook_secret),
  waitForCi: toBool(r.wait_for_ci),
  ciApiUrl: toStrOrNull(r.ci_api_url),
  ciToken: toStrOrNull(r.ci_token),
  userId: toStr(r.user_id),
  lastCommit: toStrOrNull(r.last_commit),
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
});

/** Auto-deploy connections and the webhook deliveries they accepted. */
export function createRepoConnectionRepo({ db, clock }: RepoDeps): RepoConnectionRepo {
  return {
    async get(appId) {
      const row = await db.one('SELECT * FROM repo_connections WHERE app_id = $1', [appId]);
      return row && toConnection(row);
    },
    async put(c) {
      const now = clock();
      const row = await db.one(
        `INSERT INTO repo_connections (app_id, repo_url, branch, webhook_secret, wait_for_ci, ci_api_url, ci_token, user_id, last_commit, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $9)
         ON CONFLICT (app_id) DO UPDATE SET repo_url = excluded.repo_url, branch = excluded.branch, webhook_secret = excluded.webhook_secret,
           wait_for_ci = excluded.wait_for_ci, ci_api_url = excluded.ci_api_url, ci_token = excluded.ci_token, user_id = excluded.user_id,
           updated_at = excluded.updated_at
         RETURNING *`,
        [c.appId, c.repoUrl, c.branch, c.webhookSecret, c.waitForCi, c.ciApiUrl, c.ciToken, c.userId, now],
      );
      return toConnection(row!);
    },
    async delete(appId) {
      const had = await db.one('SELECT app_id FROM repo_connections WHERE app_id = $1', [appId]);
      await db.run('DELETE FROM repo_connections WHERE app_id = $1', [appId]);
      await db.run('DELETE FROM repo_deliveries WHERE app_id = $1', [appId]);
      return had !== undefined;
    },
    async claimCommit(appId, sha) {
      const row = await db.one(
        `UPDATE repo_connections SET last_commit = $2, updated_at = $3
         WHERE app_id = $1 AND (last_commit IS NULL OR last_commit <> $2) RETURNING app_id`,
        [appId, sha, clock()],
      );
      return row !== undefined;
    },
    async recordDelivery(appId, deliveryId) {
      const row = await db.one(
        'INSERT INTO repo_deliveries (app_id, delivery_id, received_at) VALUES ($1, $2, $3) ON CONFLICT (app_id, delivery_id) DO NOTHING RETURNING app_id',
        [appId, deliveryId, clock()],
      );
      return row !== undefined;
    },
  };
}
