import type { Pipeline } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { UsageError } from '../../framework/errors.js';
import { parseStage } from '../../api/pipelines.js';

export default defineCommand({
  summary: 'create a pipeline and add the app to it',
  usage: 'pipelines:create NAME -a APP --stage STAGE',
  app: true,
  examples: ['$ slipway pipelines:create shop -a shop-staging --stage staging\nCreating shop pipeline... done\nAdding shop-staging to shop pipeline as staging... done'],
  flags: { stage: { type: 'string', char: 's', description: 'stage of the app: review, development, staging or production' } },
  async run(ctx) {
    const name = ctx.args[0];
    if (!name) throw new UsageError('Missing NAME. Usage: slipway pipelines:create NAME -a APP --stage STAGE');
    const stage = parseStage(ctx.str('stage'));
    const app = await ctx.app();
    const pipeline = await ctx.action(`Creating ${name} pipeline`, () => ctx.api.post<Pipeline>('/pipelines', { name, generation: { name: 'cedar' } }));
    await ctx.action(`Adding ${app} to ${pipeline.name} pipeline as ${stage}`, () => ctx.api.post('/pipeline-couplings', { app, pipeline: pipeline.id, stage }));
  },
});
