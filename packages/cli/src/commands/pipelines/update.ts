import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { appCoupling, parseStage } from '../../api/pipelines.js';

export default defineCommand({
  summary: 'change the stage of an app in its pipeline',
  usage: 'pipelines:update -a APP --stage STAGE',
  app: true,
  examples: ['$ slipway pipelines:update -a shop-staging --stage development\nChanging shop-staging to development... done'],
  flags: { stage: { type: 'string', char: 's', description: 'new stage: review, development, staging or production' } },
  async run(ctx) {
    const stage = parseStage(ctx.str('stage'));
    const app = await ctx.app();
    const coupling = await appCoupling(ctx.api, app);
    await ctx.action(`Changing ${app} to ${stage}`, () => ctx.api.patch(path`/pipeline-couplings/${coupling.id}`, { stage }));
  },
});
