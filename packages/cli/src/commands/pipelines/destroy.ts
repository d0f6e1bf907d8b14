import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { findPipeline } from '../../api/pipelines.js';

export default defineCommand({
  summary: 'destroy a pipeline (its apps stay)',
  usage: 'pipelines:destroy PIPELINE',
  examples: ['$ slipway pipelines:destroy shop\nDestroying shop pipeline... done'],
  flags: {},
  async run(ctx) {
    const pipeline = await findPipeline(ctx.api, ctx.args[0]);
    await ctx.action(`Destroying ${pipeline.name} pipeline`, () => ctx.api.delete(path`/pipelines/${pipeline.id}`));
  },
});
