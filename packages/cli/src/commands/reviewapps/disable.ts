import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { UsageError } from '../../framework/errors.js';

export default defineCommand({
  summary: 'turn review apps off for a pipeline, or only auto-deploy or auto-destroy (existing review apps stay)',
  usage: 'reviewapps:disable -p PIPELINE [--no-autodeploy] [--no-autodestroy] [--no-wait-for-ci]',
  examples: ['$ slipway reviewapps:disable -p shop --no-autodestroy\nConfiguring pipeline shop... done'],
  flags: {
    pipeline: { type: 'string', char: 'p', description: 'the pipeline' },
    'no-autodeploy': { type: 'boolean', description: 'pushed branches no longer get a review app by themselves' },
    'no-autodestroy': { type: 'boolean', description: 'idle review apps are kept' },
    'no-wait-for-ci': { type: 'boolean', description: 'build pushes without waiting for CI' },
  },
  async run(ctx) {
    const pipeline = ctx.str('pipeline');
    if (!pipeline) throw new UsageError('Missing -p PIPELINE. Usage: slipway reviewapps:disable -p PIPELINE [--no-autodeploy] [--no-autodestroy] [--no-wait-for-ci]');
    const body: Record<string, boolean> = {};
    if (ctx.bool('no-autodeploy')) body.automatic_review_apps = false;
    if (ctx.bool('no-autodestroy')) body.destroy_stale_apps = false;
    if (ctx.bool('no-wait-for-ci')) body.wait_for_ci = false;
    const config = path`/pipelines/${pipeline}/review-app-config`;
    await ctx.action(`Configuring pipeline ${pipeline}`, () => (Object.keys(body).length > 0 ? ctx.api.patch(config, body) : ctx.api.delete(config)));
  },
});
