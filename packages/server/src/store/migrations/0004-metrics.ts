/**
 * v4: metrics (docs/metrics.md). `metric_points` holds one row per app, kind (`router`, `dyno`,
 * `log`), process type, tier step (10 s, 60 s, 600 s) and interval start (epoch ms); `data` is the
 * metrics room's bytes (deflated JSON: counts and DDSketch bins), merged into on ingest. `metric_events` are the
 * annotations (deploys, restarts, crashes, R14…). `app_features` holds the labs an app turned on
 * (`log-runtime-metrics`; `preboot` stays the apps column). All go with their app.
 */
import { COLUMN_TYPES, type ColumnTypes, type Migration } from './types.js';

const sql = (t: ColumnTypes, bytes: string) => `
CREATE TABLE metric_points (
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  process_type TEXT NOT NULL,
  step_s ${t.int} NOT NULL,
  start_ms ${t.bigint} NOT NULL,
  data ${bytes} NOT NULL,
  PRIMARY KEY (app_id, kind, step_s, process_type, start_ms)
);
CREATE INDEX metric_points_retention ON metric_points (step_s, start_ms);

CREATE TABLE metric_events (
  seq ${t.serial},
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  at_ms ${t.bigint} NOT NULL,
  type TEXT NOT NULL,
  message TEXT NOT NULL,
  data ${t.json} NOT NULL
);
CREATE INDEX metric_events_app_at ON metric_events (app_id, at_ms);

CREATE TABLE app_features (
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  enabled ${t.bool} NOT NULL,
  PRIMARY KEY (app_id, name)
);
CREATE INDEX app_features_name ON app_features (name, enabled);
`;

export const metrics: Migration = {
  version: 4,
  name: 'metrics and app features',
  sql: { sqlite: sql(COLUMN_TYPES.sqlite, 'BLOB'), postgres: sql(COLUMN_TYPES.postgres, 'BYTEA') },
};
