import type { SchedulerJob } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { UsageError } from '../../framework/errors.js';

export default defineCommand({
  summary: 'remove a scheduler job (by number, scheduler.N or id)',
  usage: 'scheduler:remove JOB [-a APP]',
  app: true,
  examples: ['$ slipway scheduler:remove 1 -a myapp\nRemoving scheduler job scheduler.1 from myapp... done'],
  flags: {},
  async run(ctx) {
    const job = ctx.args[0];
    if (!job) throw new UsageError('Missing JOB. Usage: slipway scheduler:remove JOB -a APP');
    const app = await ctx.app();
    const label = /^\d+$/.test(job) ? `scheduler.${job}` : job;
    await ctx.action(`Removing scheduler job ${label} from ${app}`, () => ctx.api.delete<SchedulerJob>(path`/apps/${app}/scheduler/jobs/${job}`));
  },
});
