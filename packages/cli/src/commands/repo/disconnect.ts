import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';

export default defineCommand({
  summary: 'stop auto-deploying an app from its code repository (its webhook is then refused)',
  usage: 'repo:disconnect [-a APP]',
  app: true,
  examples: ['$ slipway repo:disconnect -a myapp\nDisconnecting myapp from its repository... done'],
  flags: {},
  async run(ctx) {
    const app = await ctx.app();
    await ctx.action(`Disconnecting ${app} from its repository`, () => ctx.api.delete(path`/apps/${app}/repo-connection`));
  },
});
