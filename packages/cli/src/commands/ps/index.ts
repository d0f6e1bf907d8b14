import type { Dyno } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { CliError } from '../../framework/errors.js';
import { formatPs } from '../../format/ps.js';

export default defineCommand({
  summary: 'list dynos for an app',
  usage: 'ps [TYPE...] [-a APP] [--json]',
  app: true,
  examples: ['$ slipway ps -a myapp\n=== run: one-off processes (1)\n\nrun.4821 (Basic): up 2026/11/22 22:05:12 +0000 (~ 49s ago): bash\n\n=== web (Standard-1X): npm start (2)\n\nweb.1: up 2026/11/22 14:05:42 +0000 (~ 8h ago)\nweb.2: crashed 2026/11/22 22:03:42 +0000 (~ 2m ago)'],
  flags: { json: { type: 'boolean', description: 'display as json' } },
  async run(ctx) {
    const app = await ctx.app();
    let dynos = await ctx.api.get<Dyno[]>(path`/apps/${app}/dynos`);
    if (ctx.args.length > 0) {
      dynos = dynos.filter((d) => ctx.args.includes(d.type));
      for (const t of ctx.args) if (!dynos.some((d) => d.type === t)) throw new CliError(`No ${t} dynos on ${app}`);
    }
    dynos.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (ctx.bool('json')) return ctx.json(dynos);
    if (dynos.length === 0) return ctx.out(`No dynos on ${app}`);
    formatPs(dynos, ctx.now()).forEach((l) => ctx.out(l));
  },
});
