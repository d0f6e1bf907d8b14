/**
 * The scheduler add-on's ticker: every `tickMs` it asks the store for the jobs that are due, claims
 * each (moves its next run to the next slot first, so a restart or a second platform never runs a
 * slot twice), and runs its command as the one-off dyno `scheduler.N` through the dyno manager,
 * which owns the runtime driver (nothing here assumes local processes). A job whose previous run is
 * still going is not started again: the manager refuses the name, and the skip is logged on the
 * app's channel as `heroku[scheduler.N]` and in the platform log.
 */
import { SlipwayError } from '../errors.js';
import type { Logger } from '../log/index.js';
import type { LogSink } from '../logplex/types.js';
import type { DynoRecord, AppRecord, SchedulerJobRecord, Store } from '../store/types.js';
import type { OneOffOptions } from '../dynos/index.js';
import { nextRun, parseSchedule } from './schedule.js';

/** Who runs scheduled dynos, in `Starting process with command … by user …` (Heroku's address). */
export const SCHEDULER_USER = 'scheduler@addons.heroku.com';

export interface SchedulerDeps {
  store: Pick<Store, 'schedulerJobs' | 'apps'>;
  dynos: { runOneOff(app: AppRecord, opts: OneOffOptions): Promise<DynoRecord> };
  logs: LogSink;
  logger: Logger;
  now: () => Date;
  /** Real milliseconds between two looks at the due jobs. */
  tickMs: number;
}

export type Outcome = 'started' | 'skipped' | 'failed' | 'claimed-elsewhere';

export function createScheduler(deps: SchedulerDeps) {
  const { store, dynos, logs, logger, now } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;

  const runJob = async (job: SchedulerJobRecord): Promise<Outcome> => {
    const next = nextRun(parseSchedule(job.schedule), now());
    if (!(await store.schedulerJobs.claim(job.id, job.nextRunAt, next))) return 'claimed-elsewhere';
    const app = await store.apps.get(job.appId);
    if (!app) return 'failed';
    const dyno = `scheduler.${job.number}`;
    try {
      await dynos.runOneOff(app, { command: job.command, size: job.size, dynoName: dyno, user: SCHEDULER_USER });
      logger.info('scheduler.run', { app: app.name, dyno, job: job.id });
      return 'started';
    } catch (err) {
      if (err instanceof SlipwayError && err.code === 'conflict') {
        logs.publish(app.id, { source: 'heroku', dyno, message: `Skipping scheduled run of \`${job.command}\`: the previous run is still going` });
        logger.warn('scheduler.skipped', { app: app.name, dyno, job: job.id, reason: 'previous run still going' });
        return 'skipped';
      }
      logs.publish(app.id, { source: 'heroku', dyno, message: `Scheduled run of \`${job.command}\` failed to start: ${(err as Error).message}` });
      logger.error('scheduler.run_failed', { app: app.name, dyno, job: job.id, error: String(err) });
      return 'failed';
    }
  };

  /** One look at the due jobs; resolves when every due job was started, skipped or failed. */
  const tick = async (): Promise<Outcome[]> => {
    const outcomes: Outcome[] = [];
    for (const job of await store.schedulerJobs.due(now())) outcomes.push(await runJob(job));
    return outcomes;
  };

  const loop = () => {
    if (stopped) return;
    running = tick().then(() => undefined, (err) => logger.error('scheduler.tick_failed', { error: String(err) })).finally(() => {
      running = undefined;
      if (!stopped) timer = setTimeout(loop, deps.tickMs);
    });
  };

  return {
    tick,
    start(): void {
      if (!stopped) return;
      stopped = false;
      timer = setTimeout(loop, deps.tickMs);
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;
