import type { Domain } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { header, table } from '../../format/styled.js';

/** `CNAME`, or `ALIAS or ANAME` for an apex domain (computed client-side, as Heroku does). */
export function dnsRecordType(hostname: string): string {
  return hostname.split('.').length <= 2 ? 'ALIAS or ANAME' : 'CNAME';
}

export default defineCommand({
  summary: 'list the domains of an app',
  usage: 'domains [-a APP] [--json]',
  app: true,
  examples: ['$ slipway domains -a myapp\n=== myapp Heroku Domain\n\nmyapp.localhost\n\n=== myapp Custom Domains\n\n Domain Name      DNS Record Type  DNS Target\n ──────────────── ──────────────── ───────────────\n www.example.com  CNAME            myapp.localhost'],
  flags: { json: { type: 'boolean', description: 'output in JSON format' } },
  async run(ctx) {
    const app = await ctx.app();
    const domains = await ctx.api.get<Domain[]>(path`/apps/${app}/domains`, { range: 'id ..; max=1000;' });
    if (ctx.bool('json')) return ctx.json(domains);
    const own = domains.find((d) => d.kind === 'heroku');
    const custom = domains.filter((d) => d.kind !== 'heroku').sort((a, b) => a.hostname.localeCompare(b.hostname));
    ctx.out(header(`${app} Heroku Domain`));
    ctx.out();
    ctx.out(own?.hostname ?? '');
    if (custom.length > 0) {
      ctx.out();
      ctx.out(header(`${app} Custom Domains`));
      ctx.out();
      table(custom, [
        { header: 'Domain Name', get: (d) => d.hostname },
        { header: 'DNS Record Type', get: (d) => dnsRecordType(d.hostname) },
        { header: 'DNS Target', get: (d) => d.cname },
      ]).forEach((l) => ctx.out(l));
    }
  },
});
