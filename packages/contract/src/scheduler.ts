/**
 * The scheduler add-on's jobs: Slipway's own API (`/apps/{app}/scheduler/jobs`, docs/api.md), since
 * Heroku Scheduler has no public one. Times are ISO-8601 UTC.
 */
import type { AppRef } from './types.js';

export interface SchedulerJob {
  id: string;
  /** The N of the job's dyno name. */
  number: number;
  /** `scheduler.N`: the one-off dyno each run uses, as in `heroku logs --dyno scheduler.N`. */
  dyno: string;
  command: string;
  /** `every 10 minutes`, `every hour at :MM`, `every day at HH:MM` (UTC), or a cron expression. */
  schedule: string;
  size: string;
  next_run_at: string;
  last_run_at: string | null;
  app: AppRef;
  created_at: string;
  updated_at: string;
}

/** `POST /apps/{app}/scheduler/jobs`. */
export interface SchedulerJobCreate {
  command: string;
  schedule: string;
  size?: string;
}
