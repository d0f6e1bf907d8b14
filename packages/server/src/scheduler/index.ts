/** The scheduler add-on's room: schedules, jobs, and the ticker that runs them as `scheduler.N` one-off dynos. */
export { createScheduler, SCHEDULER_USER } from './scheduler.js';
export type { Scheduler, SchedulerDeps, Outcome } from './scheduler.js';
export { createSchedulerJobs, MAX_JOBS_PER_APP, DEFAULT_JOB_SIZE } from './jobs.js';
export type { SchedulerJobs, JobInput } from './jobs.js';
export { parseSchedule, formatSchedule, nextRun } from './schedule.js';
export type { Schedule } from './schedule.js';
export { scaledClock } from './clock.js';
export { createSchedulerProvider, SCHEDULER_SERVICE } from './scheduler-provider.js';
