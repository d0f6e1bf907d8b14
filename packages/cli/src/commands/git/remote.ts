import type { App } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { CliError, UsageError } from '../../framework/errors.js';
import { configureCredentialHelper, credentialContext, setRemote } from '../../git/credentials.js';
import { isGitRepo } from '../../git/git.js';
import { gitUrl } from '../../git/remotes.js';

export default defineCommand({
  summary: 'add a git remote for an app, set up so that `git push` authenticates with your token',
  usage: 'git:remote -a APP [-r REMOTE]',
  description: [
    'Adds (or updates) the remote `slipway` (or -r NAME) with the URL http://<api host:port>/<app>.git',
    'and sets, in this repository\'s .git/config, a credential helper for that host:',
    '  credential.http://localhost:5000.helper = !\'<node>\' \'<slipway>\' git:credentials',
    'git then asks `slipway git:credentials` for a password, which answers with username `slipway` and',
    'the current token (SLIPWAY_API_KEY or ~/.netrc). The token itself is never written to git config.',
  ].join('\n'),
  examples: ['$ slipway git:remote -a myapp\nset git remote slipway to http://localhost:5000/myapp.git'],
  flags: {
    app: { type: 'string', char: 'a', description: 'the app' },
    remote: { type: 'string', char: 'r', description: 'the git remote to create (default slipway)' },
  },
  async run(ctx) {
    const name = ctx.str('app') ?? ctx.env.app;
    if (!name) throw new UsageError('Missing -a APP. Usage: slipway git:remote -a APP');
    if (!(await isGitRepo(ctx.cwd))) throw new CliError('Not a git repository. Run `git init` first.');
    const app = await ctx.api.get<App>(path`/apps/${name}`);
    const remote = ctx.str('remote') ?? 'slipway';
    const url = gitUrl(ctx.env.apiUrl, app.name);
    await setRemote(ctx.cwd, remote, url);
    await configureCredentialHelper(ctx.cwd, ctx.env.apiUrl, ctx.selfCommand);
    ctx.out(`set git remote ${remote} to ${url}`);
    if (!(await ctx.token())) ctx.warn(`Warning: you are not logged in; git will be refused by ${credentialContext(ctx.env.apiUrl)} until you run slipway login.`);
  },
});
