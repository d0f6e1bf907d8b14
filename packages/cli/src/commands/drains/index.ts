import type { LogDrain } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { header } from '../../format/styled.js';

export default defineCommand({
  summary: 'list the log drains of an app',
  usage: 'drains [-a APP] [--json]',
  app: true,
  examples: ['$ slipway drains -a myapp\n=== Drains\n\nsyslog+tls://logs.example.com:6514 (d.6b2e1f0c-…)'],
  flags: { json: { type: 'boolean', description: 'output in JSON format' } },
  async run(ctx) {
    const app = await ctx.app();
    const drains = await ctx.api.get<LogDrain[]>(path`/apps/${app}/log-drains`);
    if (ctx.bool('json')) return ctx.json(drains);
    if (drains.length === 0) return ctx.out(`${app} has no drains.`);
    ctx.out(header('Drains'));
    ctx.out();
    for (const d of drains) ctx.out(`${d.url} (${d.token})`);
  },
});
