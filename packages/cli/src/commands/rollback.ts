import type { Release } from '@slipway/contract';
import { defineCommand } from '../framework/command.js';
import { path } from '../api/client.js';
import { parseVersion, recentReleases } from '../api/releases.js';
import { streamLines } from '../api/stream.js';
import { CliError } from '../framework/errors.js';

export default defineCommand({
  summary: 'roll back to a previous release (a new release with its slug and config vars)',
  usage: 'rollback [vN] [-a APP]',
  aliases: ['releases:rollback'],
  description: 'Without a version, rolls back to the release before the current one.',
  examples: ['$ slipway rollback v2 -a myapp\nRolling back myapp to v2... done, v4\nTo undo, run: slipway rollback v3'],
  app: true,
  flags: {},
  async run(ctx) {
    const app = await ctx.app();
    let target: Release | undefined;
    if (ctx.args[0]) target = await ctx.api.get<Release>(path`/apps/${app}/releases/${parseVersion(ctx.args[0])}`);
    else target = (await recentReleases(ctx.api, app, 10)).filter((r) => r.eligible_for_rollback)[1];
    if (!target) throw new CliError(`No eligible release found for ${app} to roll back to.`);
    const release = target;
    const latest = await ctx.action(`Rolling back ${app} to v${release.version}`, () => ctx.api.post<Release>(path`/apps/${app}/releases`, { release: release.id }), (r) => `done, v${r.version}`);
    if (latest.version) ctx.warn(`To undo, run: slipway rollback v${latest.version - 1}`);
    if (latest.output_stream_url) {
      const r = await streamLines(latest.output_stream_url, { signal: ctx.signal, onLine: (l) => ctx.out(l) });
      if (r.status === 404) ctx.warn('Release command starting. Use `slipway releases:output` to view the log.');
    }
  },
});
