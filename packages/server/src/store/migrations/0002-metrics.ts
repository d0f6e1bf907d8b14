/**
 * v2: metrics (docs/metrics.md). `metric_points` holds one row per app, kind (`router`, `dyno`,
 * `log`), process type, tier step (10 s, 60 s, 600 s) and interval start (epoch ms); `data` is the
 * metrics room's JSON (counts and DDSketch bins), merged into on ingest. `metric_events` are the
 * annotations (deploys, restarts, crashes, R14…). Both go with their app.
 */
import { forBoth } from './types.js';

export const metrics = forBoth(2, 'metrics', (t) => `
CREATE TABLE metric_points (
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  process_type TEXT NOT NULL,
  step_s ${t.int} NOT NULL,
  start_ms ${t.bigint} NOT NULL,
  data TEXT NOT NULL,
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
`);
