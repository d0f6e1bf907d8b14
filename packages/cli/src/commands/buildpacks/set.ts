import { defineCommand } from '../../framework/command.js';
import { CliError, UsageError } from '../../framework/errors.js';
import { listBuildpacks, numbered, putBuildpacks } from './index.js';

export default defineCommand({
  summary: 'set the buildpack of an app (replaces the one at --index, default 1)',
  usage: 'buildpacks:set BUILDPACK [-i INDEX] [-a APP]',
  app: true,
  examples: ['$ slipway buildpacks:set nodejs -a myapp\nBuildpack set. Next release on myapp will use nodejs.\nRun git push slipway main to create a new release using this buildpack.'],
  flags: { index: { type: 'integer', char: 'i', description: 'the 1-based index of the buildpack to replace' } },
  async run(ctx) {
    const url = ctx.args[0];
    if (!url) throw new UsageError('Missing BUILDPACK. Usage: slipway buildpacks:set BUILDPACK -a APP');
    const app = await ctx.app();
    const current = await listBuildpacks(ctx, app);
    const index = ctx.int('index') ?? 1;
    if (index < 1 || index > Math.max(current.length, 1)) throw new CliError(`Invalid index ${index}. Only valid values are 1 to ${Math.max(current.length, 1)}.`);
    if (current.includes(url) && current[index - 1] !== url) throw new CliError(`The buildpack ${url} is already set on your app.`);
    const next = [...current];
    next[index - 1] = url;
    const result = await putBuildpacks(ctx, app, next);
    if (result.length === 1) ctx.out(`Buildpack set. Next release on ${app} will use ${result[0]}.`);
    else ctx.out(`Buildpack set. Next release on ${app} will use:\n${numbered(result).map((l) => `  ${l}`).join('\n')}`);
    ctx.out('Run git push slipway main to create a new release using this buildpack.');
  },
});
