import { defineCommand } from '../../../framework/command.js';
import { path } from '../../../api/client.js';
import { CliError } from '../../../framework/errors.js';
import type { Monitor } from '../../../format/monitors.js';

export default defineCommand({
  summary: 'disable autoscaling of a process type (web by default)',
  usage: 'ps:autoscale:disable [TYPE] [-a APP]',
  examples: ['$ slipway ps:autoscale:disable -a myapp\nDisabling dyno autoscaling... done'],
  app: true,
  flags: {},
  async run(ctx) {
    const app = await ctx.app();
    if (ctx.args.length > 1) throw new CliError('Give at most one process type.');
    const type = ctx.args[0] ?? 'web';
    const existing = (await ctx.api.get<Monitor[]>(path`/apps/${app}/formation/${type}/monitors`)).find((m) => m.action_type === 'scale');
    if (!existing) throw new CliError(`${app} does not have autoscale enabled`);
    await ctx.action('Disabling dyno autoscaling', () => ctx.api.patch(path`/apps/${app}/formation/${type}/monitors/${existing.id}`, { is_active: false, op: 'GREATER_OR_EQUAL', period: 1 }));
  },
});
