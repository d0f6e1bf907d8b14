import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { UsageError } from '../../framework/errors.js';
import { printConnection, printPipelineRepo, type PipelineRepoConnection, type RepoConnection } from '../../format/repo-connection.js';

export default defineCommand({
  summary: 'auto-deploy an app from a branch of a remote git repository (push webhooks of GitHub, GitLab or Gitea)',
  usage: 'repo:connect URL [-a APP] [-b BRANCH] [--wait-for-ci] [--ci-api URL] [--ci-token TOKEN] [--rotate-secret] [--json] | repo:connect URL -p PIPELINE [--ci-api URL] [--ci-token TOKEN]',
  app: true,
  examples: [
    '$ slipway repo:connect https://github.com/acme/widgets.git -b main --wait-for-ci -a myapp\n' +
    'Connecting myapp to https://github.com/acme/widgets.git... done\n' +
    '=== myapp repository\n\n' +
    'Repository:     https://github.com/acme/widgets.git\nBranch:         main\nWait for CI:    yes (https://api.github.com)\n' +
    'Webhook URL:    http://localhost:5000/repo-hooks/2c5e0f4a-1b8d-4a53-9a11-7c0d3e1e6b12\nWebhook secret: 3f9a…\nLast commit:    none\n\n' +
    'Add the webhook to the repository: payload URL and secret above, content type application/json, push events.',
    '$ slipway repo:connect https://github.com/acme/widgets.git -p shop\n' +
    'Connecting pipeline shop to https://github.com/acme/widgets.git... done\n' +
    '=== shop repository (review apps)\n\nRepository:     https://github.com/acme/widgets.git\n' +
    'Webhook URL:    http://localhost:5000/repo-hooks/pipelines/5d1f7e2a-3c4b-4e8f-9a0d-1b2c3d4e5f60\nWebhook secret: 8b2c…',
  ],
  flags: {
    pipeline: { type: 'string', char: 'p', description: 'connect a pipeline instead (its branches become review apps)' },
    branch: { type: 'string', char: 'b', description: 'the branch to deploy (default main)' },
    'wait-for-ci': { type: 'boolean', description: 'deploy a commit only once its combined CI status is success' },
    'no-wait-for-ci': { type: 'boolean', description: 'deploy every push at once' },
    'ci-api': { type: 'string', description: 'the forge API base for commit statuses (https://api.github.com, https://gitea.example/api/v1)' },
    'ci-token': { type: 'string', description: 'token for the status API (private repositories)' },
    'rotate-secret': { type: 'boolean', description: 'generate a new webhook secret' },
    json: { type: 'boolean', description: 'output in JSON format' },
  },
  async run(ctx) {
    const url = ctx.args[0];
    if (!url) throw new UsageError('Missing URL. Usage: slipway repo:connect URL -a APP [-b BRANCH]');
    const pipeline = ctx.str('pipeline');
    if (pipeline !== undefined) {
      if (ctx.str('branch') !== undefined || ctx.bool('wait-for-ci') || ctx.bool('no-wait-for-ci')) {
        throw new UsageError('-p connects a pipeline: its repository, every branch (-b and --wait-for-ci are for apps; review apps: slipway reviewapps:enable --wait-for-ci).');
      }
      const body: Record<string, unknown> = { repo_url: url };
      if (ctx.bool('rotate-secret')) body.rotate_secret = true;
      if (ctx.str('ci-api') !== undefined) body.ci_api_url = ctx.str('ci-api');
      if (ctx.str('ci-token') !== undefined) body.ci_token = ctx.str('ci-token');
      const repo = await ctx.action(`Connecting pipeline ${pipeline} to ${url.replace(/\/\/[^@/]*@/, '//')}`, () => ctx.api.put<PipelineRepoConnection>(path`/pipelines/${pipeline}/repo-connection`, body));
      if (ctx.bool('json')) return ctx.json(repo);
      return printPipelineRepo(ctx, pipeline, repo);
    }
    const app = await ctx.app();
    const body: Record<string, unknown> = { repo_url: url };
    if (ctx.str('branch') !== undefined) body.branch = ctx.str('branch');
    if (ctx.bool('wait-for-ci')) body.wait_for_ci = true;
    if (ctx.bool('no-wait-for-ci')) body.wait_for_ci = false;
    if (ctx.str('ci-api') !== undefined) body.ci_api_url = ctx.str('ci-api');
    if (ctx.str('ci-token') !== undefined) body.ci_token = ctx.str('ci-token');
    if (ctx.bool('rotate-secret')) body.rotate_secret = true;
    const conn = await ctx.action(`Connecting ${app} to ${url.replace(/\/\/[^@/]*@/, '//')}`, () => ctx.api.put<RepoConnection>(path`/apps/${app}/repo-connection`, body));
    if (ctx.bool('json')) return ctx.json(conn);
    printConnection(ctx, app, conn);
    ctx.out();
    ctx.out('Add the webhook to the repository: payload URL and secret above, content type application/json, push events.');
  },
});
