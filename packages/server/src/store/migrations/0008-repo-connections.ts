/**
 * v8: auto-deploy from a code repository. `repo_connections`: an app's remote repository URL and
 * branch, the webhook secret Slipway generated, the optional wait-for-CI settings and the last
 * commit deployed from it. `repo_deliveries`: the webhook deliveries already accepted (by the
 * forge's delivery id), so a replay does not build twice. Both go with their app.
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
`);
