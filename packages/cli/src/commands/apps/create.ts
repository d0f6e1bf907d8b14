import type { App } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { configureCredentialHelper, setRemote } from '../../git/credentials.js';
import { isGitRepo } from '../../git/git.js';
import { gitUrl } from '../../git/remotes.js';

export default defineCommand({
  summary: 'create a new app (a name is generated when none is given)',
  usage: 'apps:create [NAME] [--buildpack URL] [--no-remote] [--remote NAME]',
  aliases: ['create'],
  description: 'In a git repository it also adds the remote `slipway` (or --remote NAME) with a credential helper,\nso `git push slipway main` deploys.',
  examples: [
    '$ slipway apps:create myapp\nCreating myapp... done\nhttp://myapp.localhost:8080/ | http://localhost:5000/myapp.git',
    '$ slipway create\nCreating app... done, sushi-tempura-4242\nhttp://sushi-tempura-4242.localhost:8080/ | http://localhost:5000/sushi-tempura-4242.git',
  ],
  flags: {
    buildpack: { type: 'string', char: 'b', description: 'buildpack URL or name to use for this app' },
    region: { type: 'string', description: 'region name' },
    stack: { type: 'string', char: 's', description: 'stack name' },
    remote: { type: 'string', char: 'r', description: 'name of the git remote to add (default slipway)' },
    'no-remote': { type: 'boolean', description: 'do not add a git remote' },
    json: { type: 'boolean', description: 'output in JSON format' },
  },
  async run(ctx) {
    const name = ctx.args[0];
    const body: Record<string, string> = {};
    if (name) body.name = name;
    if (ctx.str('region')) body.region = ctx.str('region')!;
    if (ctx.str('stack')) body.stack = ctx.str('stack')!;
    const app = await ctx.action(`Creating ${name ?? 'app'}`, () => ctx.api.post<App>('/apps', body), (a) => (name ? 'done' : `done, ${a.name}`));
    const buildpack = ctx.str('buildpack');
    if (buildpack) {
      await ctx.api.put(path`/apps/${app.name}/buildpack-installations`, { updates: [{ buildpack }] }, { range: '' });
    }
    const url = gitUrl(ctx.env.apiUrl, app.name);
    if (!ctx.bool('no-remote') && (await isGitRepo(ctx.cwd))) {
      await setRemote(ctx.cwd, ctx.str('remote') ?? 'slipway', url);
      await configureCredentialHelper(ctx.cwd, ctx.env.apiUrl, ctx.selfCommand);
    }
    if (ctx.bool('json')) return ctx.json(app);
    ctx.out(`${app.web_url} | ${url}`);
  },
});
