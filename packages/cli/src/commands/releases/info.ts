import type { ConfigVars, Release } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { parseVersion, recentReleases } from '../../api/releases.js';
import { CliError } from '../../framework/errors.js';
import { releaseDescription } from '../../format/releases.js';
import { header, shellQuote, styledObject } from '../../format/styled.js';

export default defineCommand({
  summary: 'view detailed information for a release',
  usage: 'releases:info [vN] [-a APP] [--json | --shell]',
  app: true,
  examples: ['$ slipway releases:info v3 -a myapp\n=== Release v3\n\nAdd-ons:\nBy:                     admin@example.com\nChange:                 Set FOO config vars\nEligible for Rollback?: Yes\nStatus:                 succeeded\nWhen:                   2026-11-22T21:05:42.000Z\n\n=== v3 Config vars\n\nFOO: bar'],
  flags: {
    json: { type: 'boolean', description: 'output in JSON format' },
    shell: { type: 'boolean', char: 's', description: 'output config vars in shell format' },
  },
  async run(ctx) {
    const app = await ctx.app();
    let release: Release | undefined;
    if (ctx.args[0]) release = await ctx.api.get<Release>(path`/apps/${app}/releases/${parseVersion(ctx.args[0])}`);
    else release = (await recentReleases(ctx.api, app, 10))[0];
    if (!release) throw new CliError(`${app} has no releases.`);
    const config = await ctx.api.get<ConfigVars>(path`/apps/${app}/releases/${release.version}/config-vars`).catch(() => ({}) as ConfigVars);
    if (ctx.bool('json')) return ctx.json(release);
    ctx.out(header(`Release v${release.version}`));
    ctx.out();
    styledObject({
      'Add-ons': release.addon_plan_names?.length ? release.addon_plan_names : '',
      By: release.user?.email,
      Change: releaseDescription(release),
      'Eligible for Rollback?': release.eligible_for_rollback ? 'Yes' : 'No',
      Status: release.status,
      When: release.created_at,
    }).forEach((l) => ctx.out(l.trimEnd()));
    ctx.out();
    ctx.out(header(`v${release.version} Config vars`));
    ctx.out();
    const keys = Object.keys(config).sort();
    if (ctx.bool('shell')) keys.forEach((k) => ctx.out(`${k}=${shellQuote(config[k])}`));
    else styledObject(config, keys).forEach((l) => ctx.out(l));
  },
});
