import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { appCoupling } from '../../api/pipelines.js';

export default defineCommand({
  summary: 'remove an app from its pipeline',
  usage: 'pipelines:remove -a APP',
  app: true,
  examples: ['$ slipway pipelines:remove -a shop-prod\nRemoving shop-prod... done'],
  flags: {},
  async run(ctx) {
    const app = await ctx.app();
    await ctx.action(`Removing ${app}`, async () => {
      const coupling = await appCoupling(ctx.api, app);
      await ctx.api.delete(path`/pipeline-couplings/${coupling.id}`);
    });
  },
});
