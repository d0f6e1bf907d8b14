import { defineCommand } from '../../framework/command.js';
import { CliError, UsageError } from '../../framework/errors.js';
import { listBuildpacks, numbered, putBuildpacks } from './index.js';

export default defineCommand({
  summary: 'add a buildpack to an app (at the end, or at --index)',
  usage: 'buildpacks:add BUILDPACK [-i INDEX] [-a APP]',
  app: true,
  examples: ['$ slipway buildpacks:add python -a myapp\nBuildpack added. Next release on myapp will use:\n  1. nodejs\n  2. python\nRun git push slipway main to create a new release using these buildpacks.'],
  flags: { index: { type: 'integer', char: 'i', description: 'the 1-based index to insert the buildpack at' } },
  async run(ctx) {
    const url = ctx.args[0];
    if (!url) throw new UsageError('Missing BUILDPACK. Usage: slipway buildpacks:add BUILDPACK -a APP');
    const app = await ctx.app();
    const current = await listBuildpacks(ctx, app);
    if (current.includes(url)) throw new CliError(`The buildpack ${url} is already set on your app.`);
    const index = ctx.int('index') ?? current.length + 1;
    if (index < 1 || index > current.length + 1) throw new CliError(`Invalid index ${index}. Only valid values are 1 to ${current.length + 1}.`);
    const next = [...current.slice(0, index - 1), url, ...current.slice(index - 1)];
    const result = await putBuildpacks(ctx, app, next);
    if (result.length === 1) ctx.out(`Buildpack added. Next release on ${app} will use ${result[0]}.`);
    else ctx.out(`Buildpack added. Next release on ${app} will use:\n${numbered(result).map((l) => `  ${l}`).join('\n')}`);
    ctx.out(`Run git push slipway main to create a new release using ${result.length === 1 ? 'this buildpack' : 'these buildpacks'}.`);
  },
});
