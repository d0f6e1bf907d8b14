import type { SchedulerJob } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { header, table } from '../../format/styled.js';

export default defineCommand({
  summary: 'list the scheduler jobs of an app',
  usage: 'scheduler [-a APP] [--json]',
  aliases: ['scheduler:list'],
  app: true,
  examples: [
    '$ slipway scheduler -a myapp\n=== myapp Scheduler Jobs\n\n Dyno         Schedule            Size         Next Run (UTC)            Last Run (UTC)  Command\n ───────────  ──────────────────  ───────────  ────────────────────────  ──────────────  ───────────────────\n scheduler.1  every day at 04:30  standard-1x  2026-12-08T04:30:00.000Z                  node jobs/report.js',
  ],
  flags: { json: { type: 'boolean', description: 'output in JSON format' } },
  async run(ctx) {
    const app = await ctx.app();
    const jobs = await ctx.api.get<SchedulerJob[]>(path`/apps/${app}/scheduler/jobs`);
    if (ctx.bool('json')) return ctx.json(jobs);
    if (jobs.length === 0) return ctx.out(`${app} has no scheduler jobs.`);
    ctx.out(header(`${app} Scheduler Jobs`));
    ctx.out();
    for (const line of table(jobs, [
      { header: 'Dyno', get: (j) => j.dyno },
      { header: 'Schedule', get: (j) => j.schedule },
      { header: 'Size', get: (j) => j.size },
      { header: 'Next Run (UTC)', get: (j) => j.next_run_at },
      { header: 'Last Run (UTC)', get: (j) => j.last_run_at },
      { header: 'Command', get: (j) => j.command },
    ])) ctx.out(line);
  },
});
