import { defineCommand } from '../../framework/command.js';
import { findPipeline, pipelineApps } from '../../api/pipelines.js';
import { header, table } from '../../format/styled.js';

export default defineCommand({
  summary: 'show the apps of a pipeline and their stages',
  usage: 'pipelines:info PIPELINE [--json]',
  examples: ['$ slipway pipelines:info shop\n=== shop\n\nowner: dev@example.com\n\n App name      Stage\n ───────────── ──────────\n shop-staging  staging\n shop-prod     production'],
  flags: { json: { type: 'boolean', description: 'output in JSON format' } },
  async run(ctx) {
    const pipeline = await findPipeline(ctx.api, ctx.args[0]);
    const apps = await pipelineApps(ctx.api, pipeline);
    if (ctx.bool('json')) return ctx.json({ pipeline, apps: apps.map((a) => ({ ...a.app, pipelineCoupling: a.coupling })) });
    const owner = apps.find((a) => a.app.owner?.id === pipeline.owner.id)?.app.owner?.email ?? pipeline.owner.id;
    ctx.out(header(pipeline.name));
    ctx.out();
    ctx.out(`owner: ${owner}`);
    ctx.out();
    table(apps, [
      { header: 'App name', get: (a) => a.app.name },
      { header: 'Stage', get: (a) => a.coupling.stage },
    ]).forEach((l) => ctx.out(l));
  },
});
