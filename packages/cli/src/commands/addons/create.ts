import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { UsageError } from '../../framework/errors.js';
import type { AddonJson } from './index.js';

export default defineCommand({
  summary: 'create an add-on (a database) and attach it to an app',
  usage: 'addons:create SERVICE:PLAN [-a APP] [--as NAME] [--name NAME] [--confirm APP]',
  description: 'Sets the attachment\'s config vars (DATABASE_URL) and creates a release. --confirm replaces an attachment of the same --as name.',
  app: true,
  examples: ['$ slipway addons:create heroku-postgresql:essential-0 -a myapp\nCreating heroku-postgresql:essential-0 on myapp... done\nCreated postgresql-curved-12345 as DATABASE_URL'],
  flags: {
    as: { type: 'string', description: 'the attachment name (its config var prefix)' },
    name: { type: 'string', description: 'the add-on\'s name' },
    confirm: { type: 'string', char: 'c', description: 'the app name, to replace an attachment of the same name' },
    json: { type: 'boolean', description: 'output in JSON format' },
  },
  async run(ctx) {
    const plan = ctx.args[0];
    if (!plan) throw new UsageError('Missing SERVICE:PLAN. Usage: slipway addons:create heroku-postgresql:essential-0 -a APP');
    const app = await ctx.app();
    const body = {
      plan: { name: plan }, attachment: ctx.str('as') === undefined ? {} : { name: ctx.str('as') }, config: {},
      ...(ctx.str('name') === undefined ? {} : { name: ctx.str('name') }), ...(ctx.str('confirm') === undefined ? {} : { confirm: ctx.str('confirm') }),
    };
    const addon = await ctx.action(`Creating ${plan} on ${app}`, () => ctx.api.post<AddonJson>(path`/apps/${app}/addons`, body));
    if (ctx.bool('json')) return ctx.json(addon);
    ctx.out(`Created ${addon.name} as ${addon.config_vars.join(', ')}`);
  },
});
