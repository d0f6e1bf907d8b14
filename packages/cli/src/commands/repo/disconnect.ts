import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';

export default defineCommand({
  summary: 'stop auto-deploying an app from its code repository (its webhook is then refused)',
  usage: 'repo:disconnect [-a APP | -p PIPELINE]',
  app: true,
  examples: ['$ slipway repo:disconnect -a myapp\nDisconnecting myapp from its repository... done'],
  flags: { pipeline: { type: 'string', char: 'p', description: 'disconnect a pipeline\'s repository (review apps) instead' } },
  async run(ctx) {
    const pipeline = ctx.str('pipeline');
    if (pipeline !== undefined) {
      return ctx.action(`Disconnecting pipeline ${pipeline} from its repository`, () => ctx.api.delete(path`/pipelines/${pipeline}/repo-connection`)).then(() => undefined);
    }
    const app = await ctx.app();
    await ctx.action(`Disconnecting ${app} from its repository`, () => ctx.api.delete(path`/apps/${app}/repo-connection`));
  },
});
