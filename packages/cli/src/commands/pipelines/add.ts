import { defineCommand } from '../../framework/command.js';
import { findPipeline, parseStage } from '../../api/pipelines.js';

export default defineCommand({
  summary: 'add an app to a pipeline',
  usage: 'pipelines:add PIPELINE -a APP --stage STAGE',
  app: true,
  examples: ['$ slipway pipelines:add shop -a shop-prod --stage production\nAdding shop-prod to shop pipeline as production... done'],
  flags: { stage: { type: 'string', char: 's', description: 'stage of the app: review, development, staging or production' } },
  async run(ctx) {
    const stage = parseStage(ctx.str('stage'));
    const app = await ctx.app();
    const pipeline = await findPipeline(ctx.api, ctx.args[0]);
    await ctx.action(`Adding ${app} to ${pipeline.name} pipeline as ${stage}`, () => ctx.api.post('/pipeline-couplings', { app, pipeline: pipeline.id, stage }));
  },
});
