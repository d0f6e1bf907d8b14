import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { printConnection, printPipelineRepo, type PipelineRepoConnection, type RepoConnection } from '../../format/repo-connection.js';

export default defineCommand({
  summary: 'show the code repository an app auto-deploys from, its webhook URL and secret',
  usage: 'repo [-a APP | -p PIPELINE] [--json]',
  app: true,
  examples: [
    '$ slipway repo -a myapp\n=== myapp repository\n\nRepository:     https://github.com/acme/widgets.git\nBranch:         main\nWait for CI:    no\n' +
    'Webhook URL:    http://localhost:5000/repo-hooks/2c5e0f4a-1b8d-4a53-9a11-7c0d3e1e6b12\nWebhook secret: 3f9a…\nLast commit:    9c1e4b7d2a0f6e8c3b5d1a7f9e2c4b6d8a0e1f3c',
  ],
  flags: {
    pipeline: { type: 'string', char: 'p', description: 'show a pipeline\'s repository (review apps) instead' },
    json: { type: 'boolean', description: 'output in JSON format' },
  },
  async run(ctx) {
    const pipeline = ctx.str('pipeline');
    if (pipeline !== undefined) {
      const repo = await ctx.api.get<PipelineRepoConnection>(path`/pipelines/${pipeline}/repo-connection`);
      if (ctx.bool('json')) return ctx.json(repo);
      return printPipelineRepo(ctx, pipeline, repo);
    }
    const app = await ctx.app();
    const conn = await ctx.api.get<RepoConnection>(path`/apps/${app}/repo-connection`);
    if (ctx.bool('json')) return ctx.json(conn);
    printConnection(ctx, app, conn);
  },
});
