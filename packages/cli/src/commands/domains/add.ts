import type { Domain } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { UsageError } from '../../framework/errors.js';

export default defineCommand({
  summary: 'add a custom domain to an app',
  usage: 'domains:add HOSTNAME [-a APP]',
  app: true,
  examples: ['$ slipway domains:add www.example.com -a myapp\nAdding www.example.com to myapp... done\nConfigure your app\'s DNS provider to point to the DNS Target myapp.localhost.'],
  flags: { json: { type: 'boolean', description: 'output in JSON format' } },
  async run(ctx) {
    const hostname = ctx.args[0];
    if (!hostname) throw new UsageError('Missing HOSTNAME. Usage: slipway domains:add HOSTNAME -a APP');
    const app = await ctx.app();
    const domain = await ctx.action(`Adding ${hostname} to ${app}`, () => ctx.api.post<Domain>(path`/apps/${app}/domains`, { hostname, sni_endpoint: null }));
    if (ctx.bool('json')) return ctx.json(domain);
    if (domain.cname) ctx.out(`Configure your app's DNS provider to point to the DNS Target ${domain.cname}.`);
  },
});
