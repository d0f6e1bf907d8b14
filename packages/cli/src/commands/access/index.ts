import type { Collaborator } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { header, table } from '../../format/styled.js';

export default defineCommand({
  summary: 'list who has access to an app',
  usage: 'access [-a APP] [--json]',
  app: true,
  examples: ['$ slipway access -a myapp\n=== myapp Access List\n\n Email              Role\n ────────────────── ────────────\n admin@example.com  owner\n dev@example.com    collaborator'],
  flags: { json: { type: 'boolean', description: 'output in JSON format' } },
  async run(ctx) {
    const app = await ctx.app();
    const collaborators = await ctx.api.get<Collaborator[]>(path`/apps/${app}/collaborators`);
    if (ctx.bool('json')) return ctx.json(collaborators);
    const rows = [...collaborators].sort((a, b) => (a.role === 'owner' ? -1 : b.role === 'owner' ? 1 : a.user.email.localeCompare(b.user.email)));
    ctx.out(header(`${app} Access List`));
    ctx.out();
    table(rows, [
      { header: 'Email', get: (c) => c.user.email },
      { header: 'Role', get: (c) => c.role ?? 'collaborator' },
    ]).forEach((l) => ctx.out(l));
  },
});
