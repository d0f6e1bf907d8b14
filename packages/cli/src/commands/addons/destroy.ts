import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { CliError, UsageError } from '../../framework/errors.js';
import type { AddonJson } from './index.js';

export default defineCommand({
  summary: 'permanently destroy an add-on and its data',
  usage: 'addons:destroy ADDON [-a APP] --confirm APP [-f]',
  description: 'Without --confirm, asks you to type the owning app\'s name. An add-on attached to other apps needs -f.',
  app: true,
  examples: ['$ slipway addons:destroy postgresql-curved-12345 -a myapp --confirm myapp\nDestroying postgresql-curved-12345 on myapp... done'],
  flags: {
    confirm: { type: 'string', char: 'c', description: 'the owning app\'s name, to confirm without a prompt' },
    force: { type: 'boolean', char: 'f', description: 'destroy even if attached to other apps' },
  },
  async run(ctx) {
    const name = ctx.args[0];
    if (!name) throw new UsageError('Missing ADDON. Usage: slipway addons:destroy ADDON -a APP --confirm APP');
    const app = await ctx.app();
    const addon = await ctx.api.get<AddonJson>(path`/apps/${app}/addons/${name}`);
    let confirm = ctx.str('confirm');
    if (confirm === undefined) {
      if (!ctx.io.stdin.isTTY) throw new CliError(`This command is destructive. Pass --confirm ${addon.app.name} to run it.`);
      ctx.warn(`WARNING: This will destroy ${addon.name} and its data.`);
      confirm = await ctx.prompt(`To proceed, type ${addon.app.name} or re-run this command with --confirm ${addon.app.name}: `);
    }
    if (confirm !== addon.app.name) throw new CliError(`Confirmation ${confirm} did not match ${addon.app.name}. Aborted.`);
    await ctx.action(`Destroying ${addon.name} on ${addon.app.name}`, () => ctx.api.delete(path`/apps/${addon.app.id}/addons/${addon.id}`, { body: { force: ctx.bool('force') } }));
  },
});
