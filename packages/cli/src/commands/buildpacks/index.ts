import type { BuildpackInstallation } from '@slipway/contract';
import { defineCommand, type Context } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { header } from '../../format/styled.js';

export async function listBuildpacks(ctx: Context, app: string): Promise<string[]> {
  const list = await ctx.api.get<BuildpackInstallation[]>(path`/apps/${app}/buildpack-installations`);
  return [...list].sort((a, b) => a.ordinal - b.ordinal).map((b) => b.buildpack.url || b.buildpack.name);
}

export async function putBuildpacks(ctx: Context, app: string, urls: string[]): Promise<string[]> {
  const list = await ctx.api.put<BuildpackInstallation[]>(path`/apps/${app}/buildpack-installations`, { updates: urls.map((buildpack) => ({ buildpack })) }, { range: '' });
  return Array.isArray(list) ? [...list].sort((a, b) => a.ordinal - b.ordinal).map((b) => b.buildpack.url || b.buildpack.name) : urls;
}

export function numbered(urls: readonly string[]): string[] {
  return urls.length === 1 ? [urls[0]] : urls.map((u, i) => `${i + 1}. ${u}`);
}

export default defineCommand({
  summary: 'list the buildpacks of an app (empty: detected at build time)',
  usage: 'buildpacks [-a APP] [--json]',
  app: true,
  examples: ['$ slipway buildpacks -a myapp\n=== myapp Buildpack URLs\n\n1. nodejs\n2. https://github.com/example/extra-buildpack.git'],
  flags: { json: { type: 'boolean', description: 'output in JSON format' } },
  async run(ctx) {
    const app = await ctx.app();
    const urls = await listBuildpacks(ctx, app);
    if (ctx.bool('json')) return ctx.json(urls.map((url, i) => ({ ordinal: i, buildpack: { url } })));
    if (urls.length === 0) return ctx.out(`${app} has no Buildpacks.`);
    ctx.out(header(`${app} Buildpack URL${urls.length > 1 ? 's' : ''}`));
    ctx.out();
    numbered(urls).forEach((l) => ctx.out(l));
  },
});
