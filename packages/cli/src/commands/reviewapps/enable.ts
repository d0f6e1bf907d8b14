import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { UsageError } from '../../framework/errors.js';

export default defineCommand({
  summary: 'enable review apps for a pipeline (its repository must be connected: slipway repo:connect URL -p PIPELINE)',
  usage: 'reviewapps:enable -p PIPELINE [--autodeploy] [--autodestroy] [--wait-for-ci]',
  examples: ['$ slipway reviewapps:enable -p shop --autodeploy --autodestroy\nConfiguring pipeline shop... done\nPushed branches become review apps; idle ones are destroyed after 5 days.'],
  flags: {
    pipeline: { type: 'string', char: 'p', description: 'the pipeline' },
    autodeploy: { type: 'boolean', description: 'a pushed branch gets a review app by itself' },
    autodestroy: { type: 'boolean', description: 'destroy review apps with no push for the stale time' },
    'wait-for-ci': { type: 'boolean', description: 'build a commit only once its combined CI status is success' },
  },
  async run(ctx) {
    const pipeline = ctx.str('pipeline');
    if (!pipeline) throw new UsageError('Missing -p PIPELINE. Usage: slipway reviewapps:enable -p PIPELINE [--autodeploy] [--autodestroy] [--wait-for-ci]');
    const body: Record<string, boolean> = {};
    if (ctx.bool('autodeploy')) body.automatic_review_apps = true;
    if (ctx.bool('autodestroy')) body.destroy_stale_apps = true;
    if (ctx.bool('wait-for-ci')) body.wait_for_ci = true;
    const cfg = await ctx.action(`Configuring pipeline ${pipeline}`, () => ctx.api.post<{ automatic_review_apps: boolean; destroy_stale_apps: boolean; stale_days: number | null }>(path`/pipelines/${pipeline}/review-app-config`, body));
    const how = cfg.automatic_review_apps ? 'Pushed branches become review apps' : 'Review apps are made with slipway reviewapps:create';
    ctx.out(`${how}${cfg.destroy_stale_apps ? `; idle ones are destroyed after ${cfg.stale_days} days.` : '.'}`);
  },
});
