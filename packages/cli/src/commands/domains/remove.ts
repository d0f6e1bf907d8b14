import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { UsageError } from '../../framework/errors.js';

export default defineCommand({
  summary: 'remove a custom domain from an app',
  usage: 'domains:remove HOSTNAME [-a APP]',
  app: true,
  examples: ['$ slipway domains:remove www.example.com -a myapp\nRemoving www.example.com from myapp... done'],
  flags: {},
  async run(ctx) {
    const hostname = ctx.args[0];
    if (!hostname) throw new UsageError('Missing HOSTNAME. Usage: slipway domains:remove HOSTNAME -a APP');
    const app = await ctx.app();
    await ctx.action(`Removing ${hostname} from ${app}`, () => ctx.api.delete(path`/apps/${app}/domains/${hostname}`));
  },
});
