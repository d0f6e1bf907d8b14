import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';

export default defineCommand({
  summary: 'take the app out of maintenance mode',
  usage: 'maintenance:off [-a APP]',
  app: true,
  examples: ['$ slipway maintenance:off -a myapp\nDisabling maintenance mode for myapp... done'],
  flags: {},
  async run(ctx) {
    const app = await ctx.app();
    await ctx.action(`Disabling maintenance mode for ${app}`, () => ctx.api.patch(path`/apps/${app}`, { maintenance: false }));
  },
});
