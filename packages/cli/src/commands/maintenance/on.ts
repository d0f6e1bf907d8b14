import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';

export default defineCommand({
  summary: 'put the app into maintenance mode (the router answers 503, H80)',
  usage: 'maintenance:on [-a APP]',
  app: true,
  examples: ['$ slipway maintenance:on -a myapp\nEnabling maintenance mode for myapp... done'],
  flags: {},
  async run(ctx) {
    const app = await ctx.app();
    await ctx.action(`Enabling maintenance mode for ${app}`, () => ctx.api.patch(path`/apps/${app}`, { maintenance: true }));
  },
});
