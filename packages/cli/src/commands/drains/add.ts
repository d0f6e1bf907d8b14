import type { LogDrain } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { UsageError } from '../../framework/errors.js';

export default defineCommand({
  summary: 'add a log drain (syslog://, syslog+tls:// or https://)',
  usage: 'drains:add URL [-a APP]',
  app: true,
  examples: ['$ slipway drains:add syslog+tls://logs.example.com:6514 -a myapp\nSuccessfully added drain syslog+tls://logs.example.com:6514'],
  flags: { json: { type: 'boolean', description: 'output in JSON format' } },
  async run(ctx) {
    const url = ctx.args[0];
    if (!url) throw new UsageError('Missing URL. Usage: slipway drains:add URL -a APP');
    const app = await ctx.app();
    const drain = await ctx.api.post<LogDrain>(path`/apps/${app}/log-drains`, { url });
    if (ctx.bool('json')) return ctx.json(drain);
    ctx.out(`Successfully added drain ${drain.url ?? url}`);
  },
});
