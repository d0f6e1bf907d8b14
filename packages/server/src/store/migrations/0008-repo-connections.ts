/**
 * v8: auto-deploy from a code repository. `repo_connections`: an app's remote repository URL and
 * branch, the webhook secret Slipway generated, the optional wait-for-CI settings and the last
 * commit deployed from it. `repo_deliveries`: the webhook deliveries already accepted (by the
 * forge's delivery id), so a replay does not build twice. Both go with their app.
 * Review apps: a pipeline's repository (`pipeline_repos`, with its webhook secret and deliveries),
 * its review-app settings (`review_app_configs`) and its review apps, one per branch
 * (`review_apps`); all go with their pipeline, a review app's row with its app.
 */
import { forBoth } from './types.js';

export const repoConnections = forBoth(8, 'repo-connections', (t) => `
CREATE TABLE repo_connections (
  app_id TEXT PRIMARY KEY REFERENCES apps(id) ON DELETE CASCADE,
  repo_url TEXT NOT NULL,
  branch TEXT NOT NULL,
  webhook_secret TEXT NOT NULL,
  wait_for_ci ${t.bool} NOT NULL,
  ci_api_url TEXT,
  ci_token TEXT,
  user_id TEXT NOT NULL REFERENCES users(id),
  last_commit TEXT,
  created_at ${t.ts} NOT NULL,
  updated_at ${t.ts} NOT NULL
);
CREATE TABLE repo_deliveries (
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  delivery_id TEXT NOT NULL,
  received_at ${t.ts} NOT NULL,
  PRIMARY KEY (app_id, delivery_id)
);
CREATE TABLE pipeline_repos (
  pipeline_id TEXT PRIMARY KEY REFERENCES pipelines(id) ON DELETE CASCADE,
  repo_url TEXT NOT NULL,
  webhook_secret TEXT NOT NULL,
  ci_api_url TEXT,
  ci_token TEXT,
  user_id TEXT NOT NULL REFERENCES users(id),
  created_at ${t.ts} NOT NULL,
  updated_at ${t.ts} NOT NULL
);
CREATE TABLE pipeline_repo_deliveries (
  pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
  delivery_id TEXT NOT NULL,
  received_at ${t.ts} NOT NULL,
  PRIMARY KEY (pipeline_id, delivery_id)
);
CREATE TABLE review_app_configs (
  pipeline_id TEXT PRIMARY KEY REFERENCES pipelines(id) ON DELETE CASCADE,
  automatic_review_apps ${t.bool} NOT NULL,
  destroy_stale_apps ${t.bool} NOT NULL,
  wait_for_ci ${t.bool} NOT NULL,
  created_at ${t.ts} NOT NULL,
  updated_at ${t.ts} NOT NULL
);
CREATE TABLE review_apps (
  id TEXT PRIMARY KEY,
  pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
  app_id TEXT REFERENCES apps(id) ON DELETE CASCADE,
  branch TEXT NOT NULL,
  status TEXT NOT NULL,
  message TEXT,
  commit_sha TEXT,
  user_id TEXT NOT NULL REFERENCES users(id),
  last_push_at ${t.ts} NOT NULL,
  created_at ${t.ts} NOT NULL,
  updated_at ${t.ts} NOT NULL,
  UNIQUE (pipeline_id, branch)
);
`);
