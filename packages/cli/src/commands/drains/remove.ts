import type { LogDrain } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { UsageError } from '../../framework/errors.js';

export default defineCommand({
  summary: 'remove a log drain (by URL or id)',
  usage: 'drains:remove URL|ID [-a APP]',
  app: true,
  examples: ['$ slipway drains:remove syslog+tls://logs.example.com:6514 -a myapp\nSuccessfully removed drain syslog+tls://logs.example.com:6514'],
  flags: {},
  async run(ctx) {
    const url = ctx.args[0];
    if (!url) throw new UsageError('Missing URL. Usage: slipway drains:remove URL -a APP');
    const app = await ctx.app();
    const drain = await ctx.api.delete<LogDrain>(path`/apps/${app}/log-drains/${url}`);
    ctx.out(`Successfully removed drain ${drain?.url ?? url}`);
  },
});
