import type { Release, Slug } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { path, type ApiClient } from '../../api/client.js';
import { CliError } from '../../framework/errors.js';
import { appCoupling, pipelineApps } from '../../api/pipelines.js';

const NEXT = { development: 'staging', staging: 'production' } as const;

/** The commit of the app's newest succeeded release's slug, or null. */
async function releasedCommit(api: ApiClient, app: string): Promise<string | null> {
  const releases = await api.get<Release[]>(path`/apps/${app}/releases`, { range: 'version ..; order=desc, max=20', partial: true });
  const current = releases.find((r) => r.status === 'succeeded' && r.slug);
  if (!current?.slug) return null;
  return (await api.get<Slug>(path`/apps/${app}/slugs/${current.slug.id}`)).commit ?? null;
}

export default defineCommand({
  summary: 'compare the commit an app runs with the apps of the next stage',
  usage: 'pipelines:diff -a APP',
  app: true,
  description: 'Compares released slug commits (Slipway keeps no GitHub link, so it names the commits rather than listing the ones between).',
  examples: ['$ slipway pipelines:diff -a shop-staging\n=== shop-staging (1a2b3c4) differs from shop-prod (9f8e7d6)'],
  flags: {},
  async run(ctx) {
    const app = await ctx.app();
    const coupling = await appCoupling(ctx.api, app).catch(() => {
      throw new CliError(`This app (${app}) does not seem to be a part of any pipeline`);
    });
    const next = NEXT[coupling.stage as keyof typeof NEXT];
    const apps = await pipelineApps(ctx.api, coupling.pipeline);
    const downstream = next ? apps.filter((a) => a.coupling.stage === next) : [];
    if (downstream.length === 0) throw new CliError(`Cannot diff ${app} as there are no downstream apps configured`);
    const mine = await releasedCommit(ctx.api, app);
    if (!mine) throw new CliError(`No release was found for ${app}, unable to diff`);
    for (const d of downstream) {
      const theirs = await releasedCommit(ctx.api, d.app.name);
      if (theirs === mine) ctx.out(`=== ${app} is up to date with ${d.app.name}`);
      else ctx.out(`=== ${app} (${mine.slice(0, 7)}) differs from ${d.app.name} (${theirs ? theirs.slice(0, 7) : 'no release'})`);
    }
  },
});
