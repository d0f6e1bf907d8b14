/**
 * v6: the scheduler add-on's jobs. `number` is the N of the `scheduler.N` dyno the job's runs use
 * (unique per app, never reused while the job exists); `schedule` is the canonical text
 * (scheduler/schedule.ts); `next_run_at` is when it is next due, moved before each run starts so a
 * restart never runs a slot twice.
 */
import { forBoth } from './types.js';

export const schedulerJobs = forBoth(6, 'scheduler-jobs', (t) => `
CREATE TABLE scheduler_jobs (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  number ${t.int} NOT NULL,
  command TEXT NOT NULL,
  schedule TEXT NOT NULL,
  size TEXT NOT NULL,
  next_run_at ${t.ts} NOT NULL,
  last_run_at ${t.ts},
  created_at ${t.ts} NOT NULL,
  updated_at ${t.ts} NOT NULL,
  UNIQUE (app_id, number)
);
CREATE INDEX scheduler_jobs_due ON scheduler_jobs (next_run_at);
`);
