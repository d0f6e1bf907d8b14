import type { App } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { UsageError } from '../../framework/errors.js';
import { isGitRepo, gitOk } from '../../git/git.js';
import { gitUrl, listRemotes, parseAppUrl } from '../../git/remotes.js';

export default defineCommand({
  summary: 'rename an app',
  usage: 'apps:rename NEWNAME [-a APP]',
  aliases: ['rename'],
  description: 'Git remotes in the current repository that point at the old name are updated.',
  examples: ['$ slipway apps:rename newname -a oldname\nRenaming oldname to newname... done\nhttp://newname.localhost:8080/ | http://localhost:5000/newname.git'],
  app: true,
  flags: {},
  async run(ctx) {
    const newName = ctx.args[0];
    if (!newName) throw new UsageError('Missing NEWNAME. Usage: slipway apps:rename NEWNAME -a APP');
    const oldName = await ctx.app();
    const app = await ctx.action(`Renaming ${oldName} to ${newName}`, () => ctx.api.patch<App>(path`/apps/${oldName}`, { name: newName }));
    const url = gitUrl(ctx.env.apiUrl, app.name);
    ctx.out(`${app.web_url} | ${url}`);
    if (await isGitRepo(ctx.cwd)) {
      for (const r of await listRemotes(ctx.cwd)) {
        if (parseAppUrl(r.url)?.app !== oldName) continue;
        await gitOk(ctx.cwd, ['remote', 'set-url', r.name, url]);
        ctx.warn(`Git remote ${r.name} updated`);
      }
    }
  },
});
