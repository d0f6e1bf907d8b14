import type { Account, App } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { header, table } from '../../format/styled.js';

export default defineCommand({
  summary: 'list your apps',
  usage: 'apps [--all] [--json]',
  aliases: ['list'],
  examples: ['$ slipway apps\n=== admin@example.com Apps\n\nmyapp\nother-app\n\n=== Collaborated Apps\n\n Name    Owner\n ─────── ────────────────\n shared  dev@example.com'],
  flags: {
    all: { type: 'boolean', char: 'A', description: 'list every app on the platform (admins)' },
    json: { type: 'boolean', description: 'output in JSON format' },
  },
  async run(ctx) {
    const [apps, account] = await Promise.all([
      ctx.api.get<App[]>(ctx.bool('all') ? '/apps' : '/users/~/apps'),
      ctx.api.get<Account>('/account'),
    ]);
    apps.sort((a, b) => a.name.localeCompare(b.name));
    if (ctx.bool('json')) return ctx.json(apps);
    if (apps.length === 0) return ctx.out('You have no apps.');
    const label = (a: App) => (a.region?.name && a.region.name !== 'us' ? `${a.name} (${a.region.name})` : a.name) + (a.maintenance ? ' (maintenance)' : '');
    const owned = apps.filter((a) => a.owner?.email === account.email);
    const others = apps.filter((a) => a.owner?.email !== account.email);
    if (owned.length > 0) {
      ctx.out(header(`${account.email} Apps`));
      ctx.out();
      owned.forEach((a) => ctx.out(label(a)));
    }
    if (others.length > 0) {
      if (owned.length > 0) ctx.out();
      ctx.out(header('Collaborated Apps'));
      ctx.out();
      table(others, [{ header: 'Name', get: label }, { header: 'Owner', get: (a) => a.owner?.email }]).forEach((l) => ctx.out(l));
    }
  },
});
