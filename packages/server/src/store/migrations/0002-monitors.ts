/**
 * v2: monitors (Heroku's noun for autoscaling policies, served as the metrics host's
 * `/apps/{id}/formation/{type}/monitors`). One row per monitor; the autoscaler reads the active
 * `scale` monitor of each process type. Slipway's additions: queue-time target, the l2met metric a
 * worker scales on, the idle time of scale to zero, and the decision strategy.
 */
import { forBoth } from './types.js';

export const monitors = forBoth(2, 'monitors', (t) => `
CREATE TABLE monitors (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  process_type TEXT NOT NULL,
  action_type TEXT NOT NULL,
  name TEXT NOT NULL,
  is_active ${t.bool} NOT NULL,
  op TEXT NOT NULL,
  period ${t.int} NOT NULL,
  value ${t.int} NOT NULL,
  min_quantity ${t.int} NOT NULL,
  max_quantity ${t.int} NOT NULL,
  notification_channels ${t.json} NOT NULL,
  notification_period ${t.int} NOT NULL,
  queue_time_ms ${t.int},
  metric TEXT,
  idle_ms ${t.int},
  strategy TEXT NOT NULL,
  created_at ${t.ts} NOT NULL,
  updated_at ${t.ts} NOT NULL
);
CREATE INDEX monitors_app ON monitors (app_id, process_type);
`);
