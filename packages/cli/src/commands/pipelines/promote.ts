import type { PipelinePromotion, PipelinePromotionTarget, PipelineStageName } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { CliError } from '../../framework/errors.js';
import { appCoupling, pipelineApps } from '../../api/pipelines.js';

const NEXT: Partial<Record<PipelineStageName, PipelineStageName>> = { development: 'staging', staging: 'production' };
const POLL_MS = 500;

export default defineCommand({
  summary: 'promote the app\'s current slug to the next stage (or to --to apps), without a build',
  usage: 'pipelines:promote -a APP [--to APP1,APP2]',
  app: true,
  description: 'Each target gets a new release with the same slug and its own config vars; its release phase runs first.',
  examples: ['$ slipway pipelines:promote -a shop-staging\nStarting promotion to production... done\nWaiting for promotion to complete... done\n\nPromotion successful\nshop-prod: succeeded'],
  flags: { to: { type: 'string', char: 't', description: 'comma-separated names or ids of the apps to promote to' } },
  async run(ctx) {
    const app = await ctx.app();
    const coupling = await appCoupling(ctx.api, app);
    const apps = await pipelineApps(ctx.api, coupling.pipeline);
    const source = apps.find((a) => a.app.id === coupling.app.id);
    if (!source) throw new CliError(`${app} is not in pipeline ${coupling.pipeline.name}.`);
    const to = ctx.str('to');
    let targets = apps;
    let where: string;
    if (to) {
      const wanted = to.split(',').map((s) => s.trim()).filter((s) => s !== '');
      targets = apps.filter((a) => wanted.includes(a.app.name) || wanted.includes(a.app.id));
      const missing = wanted.filter((w) => !targets.some((a) => a.app.name === w || a.app.id === w));
      if (missing.length > 0) throw new CliError(`Not in pipeline ${coupling.pipeline.name}: ${missing.join(', ')}.`);
      where = targets.map((a) => a.app.name).join(', ');
    } else {
      const next = NEXT[coupling.stage];
      if (!next) throw new CliError(`Cannot promote ${app} from '${coupling.stage}' stage`);
      targets = apps.filter((a) => a.coupling.stage === next);
      if (targets.length === 0) throw new CliError(`Cannot promote from ${app} as there are no downstream apps in ${next} stage`);
      where = next;
    }
    const promotion = await ctx.action(`Starting promotion to ${where}`, () => ctx.api.post<PipelinePromotion>('/pipeline-promotions', {
      pipeline: { id: coupling.pipeline.id }, source: { app: { id: source.app.id } }, targets: targets.map((a) => ({ app: { id: a.app.id } })),
    }));
    const results = await ctx.action('Waiting for promotion to complete', async () => {
      for (;;) {
        const list = await ctx.api.get<PipelinePromotionTarget[]>(path`/pipeline-promotions/${promotion.id}/promotion-targets`);
        if (!list.some((t) => t.status === 'pending')) return list;
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    });
    const name = (id: string) => apps.find((a) => a.app.id === id)?.app.name ?? id;
    const failed = results.filter((r) => r.status === 'failed');
    ctx.out();
    ctx.out(failed.length === 0 ? 'Promotion successful' : 'Promotion to some apps failed');
    for (const r of results) {
      ctx.out(`${name(r.app.id)}: ${r.status}`);
      if (r.error_message) ctx.out(`  ${r.error_message}`);
    }
    if (failed.length > 0) throw new CliError(`${failed.length} of ${results.length} promotion target${results.length === 1 ? '' : 's'} failed.`);
  },
});
