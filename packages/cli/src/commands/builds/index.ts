import type { Build } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { header, table } from '../../format/styled.js';
import { ago } from '../../format/time.js';

export default defineCommand({
  summary: 'list the builds of an app (newest first)',
  usage: 'builds [-a APP] [-n NUM] [--json]',
  app: true,
  examples: ['$ slipway builds -a myapp\n=== myapp Builds\n\n ID                                    Status     By                 When\n ───────────────────────────────────── ────────── ────────────────── ─────────────────────────────────────\n 01c6a5e2-4b1e-4f6a-9d5e-6a1c9b3e2f10  succeeded  admin@example.com  2026/11/22 21:05:42 +0000 (~ 1h ago)'],
  flags: {
    num: { type: 'integer', char: 'n', description: 'number of builds to show (default 15)' },
    json: { type: 'boolean', description: 'output in JSON format' },
  },
  async run(ctx) {
    const app = await ctx.app();
    const builds = await ctx.api.get<Build[]>(path`/apps/${app}/builds`);
    builds.sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
    const shown = builds.slice(0, ctx.int('num') ?? 15);
    if (ctx.bool('json')) return ctx.json(shown);
    if (shown.length === 0) return ctx.out(`${app} has no builds.`);
    ctx.out(header(`${app} Builds`));
    ctx.out();
    table(shown, [
      { header: 'ID', get: (b) => b.id },
      { header: 'Status', get: (b) => b.status },
      { header: 'By', get: (b) => b.user?.email },
      { header: 'When', get: (b) => ago(b.created_at, ctx.now()) },
    ]).forEach((l) => ctx.out(l));
  },
});
