/**
 * The scheduler add-on's jobs as users manage them: create (validated: command, schedule, dyno
 * size), list, remove by id or number. Each change is one line on the app's `app[api]` channel.
 */
import { findDynoSize } from '@slipway/contract';
import { InvalidParamsError, NotFoundError } from '../errors.js';
import type { LogSink } from '../logplex/types.js';
import type { AppRecord, SchedulerJobRecord, Store } from '../store/types.js';
import { formatSchedule, nextRun, parseSchedule } from './schedule.js';

/** Longest command a job may run (Heroku's one-off limit is the 32 KB config cap; a job needs far less). */
export const MAX_COMMAND_LENGTH = 4096;
/** Jobs per app (Heroku Scheduler has no documented cap; this keeps one app from flooding the ticker). */
export const MAX_JOBS_PER_APP = 50;
export const DEFAULT_JOB_SIZE = 'standard-1x';

export interface JobInput {
  command?: unknown;
  schedule?: unknown;
  size?: unknown;
}

export interface SchedulerJobsDeps {
  store: Pick<Store, 'schedulerJobs'>;
  logs: LogSink;
  /** The scheduler's clock (scheduler/clock.ts). */
  now: () => Date;
}

export type SchedulerJobs = ReturnType<typeof createSchedulerJobs>;

export function createSchedulerJobs({ store, logs, now }: SchedulerJobsDeps) {
  const find = async (app: AppRecord, idOrNumber: string): Promise<SchedulerJobRecord> => {
    const jobs = await store.schedulerJobs.list(app.id);
    const job = jobs.find((j) => j.id === idOrNumber || String(j.number) === idOrNumber || `scheduler.${j.number}` === idOrNumber);
    if (!job) throw new NotFoundError('scheduler job');
    return job;
  };
  return {
    async create(app: AppRecord, input: JobInput, by: string): Promise<SchedulerJobRecord> {
      if (typeof input.command !== 'string' || input.command.trim() === '') throw new InvalidParamsError('Missing required param: command.', 'command');
      if (input.command.length > MAX_COMMAND_LENGTH) throw new InvalidParamsError(`command must be at most ${MAX_COMMAND_LENGTH} characters.`, 'command');
      const schedule = parseSchedule(input.schedule);
      let size = DEFAULT_JOB_SIZE;
      if (input.size !== undefined) {
        const found = typeof input.size === 'string' ? findDynoSize(input.size) : undefined;
        if (!found) throw new InvalidParamsError(`Invalid dyno size "${String(input.size)}".`, 'size');
        size = found.name;
      }
      if ((await store.schedulerJobs.list(app.id)).length >= MAX_JOBS_PER_APP) {
        throw new InvalidParamsError(`An app can have at most ${MAX_JOBS_PER_APP} scheduler jobs.`, 'command');
      }
      const job = await store.schedulerJobs.create({
        appId: app.id, command: input.command, schedule: formatSchedule(schedule), size, nextRunAt: nextRun(schedule, now()),
      });
      logs.publish(app.id, { source: 'app', dyno: 'api', message: `Add scheduler job ${job.number} (\`${job.command}\`, ${job.schedule}) by user ${by}` });
      return job;
    },
    list: (app: AppRecord) => store.schedulerJobs.list(app.id),
    get: find,
    async remove(app: AppRecord, idOrNumber: string, by: string): Promise<SchedulerJobRecord> {
      const job = await store.schedulerJobs.delete(app.id, (await find(app, idOrNumber)).id);
      logs.publish(app.id, { source: 'app', dyno: 'api', message: `Remove scheduler job ${job.number} (\`${job.command}\`) by user ${by}` });
      return job;
    },
  };
}
