import { defineCommand } from '../../framework/command.js';
import { recentReleases } from '../../api/releases.js';
import { formatReleases } from '../../format/releases.js';

export default defineCommand({
  summary: 'display the releases for an app',
  usage: 'releases [-a APP] [-n NUM] [--json]',
  app: true,
  examples: ['$ slipway releases -a myapp\n=== myapp Releases - Current: v3\n\n  v3   Set FOO config vars   admin@example.com   2026/11/22 21:05:42 +0000 (~ 1h ago)\n  v2   Deploy 1a2b3c4        admin@example.com   2026/11/22 20:01:10 +0000 (~ 2h ago)\n  v1   Initial release       admin@example.com   2026/11/22 20:00:00 +0000 (~ 2h ago)'],
  flags: {
    num: { type: 'integer', char: 'n', description: 'number of releases to show (default 15)' },
    json: { type: 'boolean', description: 'output releases in JSON format' },
  },
  async run(ctx) {
    const app = await ctx.app();
    const releases = await recentReleases(ctx.api, app, ctx.int('num') ?? 15);
    if (ctx.bool('json')) return ctx.json(releases);
    formatReleases(app, releases, ctx.now()).forEach((l) => ctx.out(l));
  },
});
