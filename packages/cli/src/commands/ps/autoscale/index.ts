import { defineCommand } from '../../../framework/command.js';
import { path } from '../../../api/client.js';
import { describeMonitor, type Monitor } from '../../../format/monitors.js';

export default defineCommand({
  summary: 'show the autoscaling settings of every process type',
  usage: 'ps:autoscale [-a APP] [--json]',
  examples: ['$ slipway ps:autoscale -a myapp\nweb: on, min 1, max 10, p95 500 ms, queue 50 ms\nworker: on, min 0, max 5, queue_depth 50 per dyno, idle 300 s'],
  app: true,
  flags: { json: { type: 'boolean', description: 'output in JSON format' } },
  async run(ctx) {
    const app = await ctx.app();
    const monitors = (await ctx.api.get<Monitor[]>(path`/apps/${app}/monitors`)).filter((m) => m.action_type === 'scale');
    if (ctx.bool('json')) return ctx.json(monitors);
    if (monitors.length === 0) return ctx.out(`${app} has no autoscaling`);
    for (const m of monitors.sort((a, b) => a.process_type.localeCompare(b.process_type))) ctx.out(describeMonitor(m));
  },
});
