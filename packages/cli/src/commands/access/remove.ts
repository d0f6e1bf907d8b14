import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { UsageError } from '../../framework/errors.js';

export default defineCommand({
  summary: 'remove a user\'s access to an app',
  usage: 'access:remove EMAIL [-a APP]',
  app: true,
  examples: ['$ slipway access:remove dev@example.com -a myapp\nRemoving dev@example.com access from the app myapp... done'],
  flags: {},
  async run(ctx) {
    const email = ctx.args[0];
    if (!email) throw new UsageError('Missing EMAIL. Usage: slipway access:remove EMAIL -a APP');
    const app = await ctx.app();
    await ctx.action(`Removing ${email} access from the app ${app}`, () => ctx.api.delete(path`/apps/${app}/collaborators/${email}`));
  },
});
