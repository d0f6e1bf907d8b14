import type { SchedulerJob } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { UsageError } from '../../framework/errors.js';

/** The schedule text the API takes, from exactly one of the frequency flags. */
function scheduleFrom(flags: { every?: string; hourly?: string; daily?: string; cron?: string }): string {
  const given = Object.entries(flags).filter(([, v]) => v !== undefined);
  if (given.length !== 1) throw new UsageError('Give exactly one of --every 10m, --hourly :MM, --daily HH:MM or --cron EXPR.');
  const [which, value] = given[0] as [string, string];
  switch (which) {
    case 'every':
      if (!/^10\s*(m|min|minutes?)$/i.test(value.trim())) throw new UsageError(`--every takes 10m (Heroku Scheduler's shortest frequency), not "${value}"; use --cron for others.`);
      return 'every 10 minutes';
    case 'hourly': return `every hour at :${value.replace(/^:/, '')}`;
    case 'daily': return `every day at ${value}`;
    default: return value;
  }
}

export default defineCommand({
  summary: 'add a scheduler job: a command run as a one-off scheduler.N dyno on a schedule (UTC)',
  usage: 'scheduler:add COMMAND (--every 10m | --hourly :MM | --daily HH:MM | --cron EXPR) [-s SIZE] [-a APP]',
  app: true,
  examples: [
    '$ slipway scheduler:add "node jobs/report.js" --daily 04:30 -a myapp\nAdding scheduler job to myapp... done, scheduler.1 every day at 04:30 (next run 2026-12-08T04:30:00.000Z)',
    '$ slipway scheduler:add "rake cleanup" --cron "*/5 * * * 1-5" -a myapp\nAdding scheduler job to myapp... done, scheduler.2 */5 * * * 1-5 (next run 2026-12-07T17:40:00.000Z)',
  ],
  flags: {
    every: { type: 'string', description: 'every 10 minutes: 10m' },
    hourly: { type: 'string', description: 'every hour at this minute (:00, :10 … :50)' },
    daily: { type: 'string', description: 'every day at this time, UTC (HH:00 or HH:30)' },
    cron: { type: 'string', description: 'a five-field cron expression, UTC (Slipway\'s extra)' },
    size: { type: 'string', char: 's', description: 'dyno size of the runs (default standard-1x)' },
    json: { type: 'boolean', description: 'output in JSON format' },
  },
  async run(ctx) {
    const command = ctx.args.join(' ').trim();
    if (command === '') throw new UsageError('Missing COMMAND. Usage: slipway scheduler:add COMMAND --daily HH:MM -a APP');
    const schedule = scheduleFrom({ every: ctx.str('every'), hourly: ctx.str('hourly'), daily: ctx.str('daily'), cron: ctx.str('cron') });
    const app = await ctx.app();
    const size = ctx.str('size');
    const job = await ctx.action(`Adding scheduler job to ${app}`,
      () => ctx.api.post<SchedulerJob>(path`/apps/${app}/scheduler/jobs`, { command, schedule, ...(size ? { size } : {}) }),
      (j) => `done, ${j.dyno} ${j.schedule} (next run ${j.next_run_at})`);
    if (ctx.bool('json')) ctx.json(job);
  },
});
