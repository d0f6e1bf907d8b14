/**
 * v7: environments — pipelines, their couplings (one pipeline per app, a stage each), promotions
 * with per-target results, the app.json of each app (as last read from its source), and app setups
 * (Heroku's deploy-button flow). A promoted slug is shared, not copied: `slug_shares` lets the
 * target's releases use the source's slug (same id, same blob). v5 and v6 belong to other branches.
 */
import { forBoth } from './types.js';

export const pipelines = forBoth(7, 'pipelines', (t) => `
CREATE TABLE pipelines (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  owner_type TEXT NOT NULL,
  generation TEXT NOT NULL,
  created_at ${t.ts} NOT NULL,
  updated_at ${t.ts} NOT NULL
);
CREATE INDEX pipelines_name ON pipelines (name);
CREATE TABLE pipeline_couplings (
  id TEXT PRIMARY KEY,
  pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
  app_id TEXT NOT NULL UNIQUE REFERENCES apps(id) ON DELETE CASCADE,
  stage TEXT NOT NULL,
  created_at ${t.ts} NOT NULL,
  updated_at ${t.ts} NOT NULL
);
CREATE INDEX pipeline_couplings_pipeline ON pipeline_couplings (pipeline_id);
CREATE TABLE pipeline_promotions (
  id TEXT PRIMARY KEY,
  pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
  source_app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  source_release_id TEXT NOT NULL,
  status TEXT NOT NULL,
  user_id TEXT NOT NULL,
  created_at ${t.ts} NOT NULL,
  updated_at ${t.ts} NOT NULL
);
CREATE TABLE pipeline_promotion_targets (
  id TEXT PRIMARY KEY,
  promotion_id TEXT NOT NULL REFERENCES pipeline_promotions(id) ON DELETE CASCADE,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  ordinal ${t.int} NOT NULL,
  status TEXT NOT NULL,
  release_id TEXT,
  error_message TEXT,
  created_at ${t.ts} NOT NULL,
  updated_at ${t.ts} NOT NULL
);
CREATE INDEX pipeline_promotion_targets_promotion ON pipeline_promotion_targets (promotion_id, ordinal);
CREATE TABLE app_manifests (
  app_id TEXT PRIMARY KEY REFERENCES apps(id) ON DELETE CASCADE,
  manifest ${t.json} NOT NULL,
  updated_at ${t.ts} NOT NULL
);
CREATE TABLE app_setups (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  status TEXT NOT NULL,
  failure_message TEXT,
  source_url TEXT NOT NULL,
  build_id TEXT,
  manifest_errors ${t.json} NOT NULL,
  postdeploy ${t.json},
  user_id TEXT NOT NULL,
  created_at ${t.ts} NOT NULL,
  updated_at ${t.ts} NOT NULL
);
CREATE INDEX app_setups_app ON app_setups (app_id);
CREATE TABLE slug_shares (
  slug_id TEXT NOT NULL REFERENCES slugs(id) ON DELETE CASCADE,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  created_at ${t.ts} NOT NULL,
  PRIMARY KEY (slug_id, app_id)
);
CREATE INDEX slug_shares_app ON slug_shares (app_id);
`);
