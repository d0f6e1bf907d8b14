import type { App } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';

export default defineCommand({
  summary: 'display the current maintenance status of an app',
  usage: 'maintenance [-a APP] [--json]',
  app: true,
  examples: ['$ slipway maintenance -a myapp\noff'],
  flags: { json: { type: 'boolean', description: 'output in JSON format' } },
  async run(ctx) {
    const app = await ctx.app();
    const info = await ctx.api.get<App>(path`/apps/${app}`);
    if (ctx.bool('json')) return ctx.json({ maintenance: info.maintenance });
    ctx.out(info.maintenance ? 'on' : 'off');
  },
});
