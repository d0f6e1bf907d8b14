import type { App } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { CliError } from '../../framework/errors.js';
import { gitOk, isGitRepo } from '../../git/git.js';
import { listRemotes, parseAppUrl } from '../../git/remotes.js';

export default defineCommand({
  summary: 'permanently destroy an app',
  usage: 'apps:destroy -a APP --confirm APP',
  aliases: ['destroy'],
  description: 'Without --confirm, asks you to type the app name. Git remotes pointing at the app are removed.',
  examples: ['$ slipway apps:destroy -a myapp --confirm myapp\nDestroying myapp (including all add-ons)... done'],
  app: true,
  flags: { confirm: { type: 'string', char: 'c', description: 'the app name, to confirm without a prompt' } },
  async run(ctx) {
    const name = ctx.args[0] ?? (await ctx.app());
    const app = await ctx.api.get<App>(path`/apps/${name}`);
    let confirm = ctx.str('confirm');
    if (confirm === undefined) {
      if (!ctx.io.stdin.isTTY) throw new CliError(`This command is destructive. Pass --confirm ${app.name} to run it.`);
      ctx.warn(`WARNING: This will delete ${app.name} including all add-ons.`);
      confirm = await ctx.prompt(`To proceed, type ${app.name} or re-run this command with --confirm ${app.name}: `);
    }
    if (confirm !== app.name) throw new CliError(`Confirmation ${confirm} did not match ${app.name}. Aborted.`);
    await ctx.action(`Destroying ${app.name} (including all add-ons)`, () => ctx.api.delete(path`/apps/${app.name}`));
    if (await isGitRepo(ctx.cwd)) {
      for (const r of await listRemotes(ctx.cwd)) {
        if (parseAppUrl(r.url)?.app === app.name) await gitOk(ctx.cwd, ['remote', 'rm', r.name]);
      }
    }
  },
});
