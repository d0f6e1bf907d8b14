import { defineCommand } from '../../framework/command.js';
import { putBuildpacks } from './index.js';

export default defineCommand({
  summary: 'clear all buildpacks set on the app (they are detected at the next build)',
  usage: 'buildpacks:clear [-a APP]',
  app: true,
  examples: ['$ slipway buildpacks:clear -a myapp\nBuildpacks cleared. Next release on myapp will detect buildpacks normally.'],
  flags: {},
  async run(ctx) {
    const app = await ctx.app();
    await putBuildpacks(ctx, app, []);
    ctx.out(`Buildpacks cleared. Next release on ${app} will detect buildpacks normally.`);
  },
});
