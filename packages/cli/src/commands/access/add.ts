import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { UsageError } from '../../framework/errors.js';

export default defineCommand({
  summary: 'give a user access to an app',
  usage: 'access:add EMAIL [-a APP]',
  app: true,
  examples: ['$ slipway access:add dev@example.com -a myapp\nAdding dev@example.com access to the app myapp... done'],
  flags: {},
  async run(ctx) {
    const email = ctx.args[0];
    if (!email) throw new UsageError('Missing EMAIL. Usage: slipway access:add EMAIL -a APP');
    const app = await ctx.app();
    await ctx.action(`Adding ${email} access to the app ${app}`, () => ctx.api.post(path`/apps/${app}/collaborators`, { user: email }));
  },
});
