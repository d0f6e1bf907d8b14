import type { App, Collaborator, Dyno } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { fileSize, header, shellQuote, styledObject } from '../../format/styled.js';

export default defineCommand({
  summary: 'show detailed app information',
  usage: 'apps:info [-a APP] [--json | --shell]',
  aliases: ['info'],
  app: true,
  examples: ['$ slipway apps:info -a myapp\n=== myapp\n\nCollaborators:  dev@example.com\nDynos:          web: 2\nGit URL:        http://localhost:5000/myapp.git\nMaintenance:    off\nOwner:          admin@example.com\nRegion:         us\nRepo Size:      12 KB\nSlug Size:      23.4 MB\nStack:          heroku-24\nWeb URL:        http://myapp.localhost:8080/'],
  flags: {
    json: { type: 'boolean', char: 'j', description: 'output in JSON format' },
    shell: { type: 'boolean', char: 's', description: 'output more shell friendly key/value pairs' },
  },
  async run(ctx) {
    const name = await ctx.app();
    const [app, dynos, collaborators] = await Promise.all([
      ctx.api.get<App>(path`/apps/${name}`),
      ctx.api.get<Dyno[]>(path`/apps/${name}/dynos`).catch(() => [] as Dyno[]),
      ctx.api.get<Collaborator[]>(path`/apps/${name}/collaborators`).catch(() => [] as Collaborator[]),
    ]);
    if (ctx.bool('json')) return ctx.json({ app, dynos, collaborators });
    const counts = new Map<string, number>();
    for (const d of dynos) counts.set(d.type, (counts.get(d.type) ?? 0) + 1);
    const info: Record<string, string | string[] | undefined> = {
      Collaborators: collaborators.filter((c) => c.role !== 'owner' && c.user.email !== app.owner?.email).map((c) => c.user.email).sort(),
      Dynos: [...counts].map(([t, n]) => `${t}: ${n}`),
      'Git URL': app.git_url,
      Maintenance: app.maintenance ? 'on' : 'off',
      Owner: app.owner?.email,
      Region: app.region?.name,
      'Repo Size': fileSize(app.repo_size),
      'Slug Size': fileSize(app.slug_size),
      Stack: app.stack?.name + (app.build_stack?.name && app.build_stack.name !== app.stack?.name ? ` (next build will use ${app.build_stack.name})` : ''),
      'Web URL': app.web_url,
    };
    if (ctx.bool('shell')) {
      for (const [k, v] of Object.entries(info)) {
        if (v === undefined) continue;
        ctx.out(`${k.toLowerCase().replace(/ /g, '_')}=${shellQuote(Array.isArray(v) ? v.join(',') : v)}`);
      }
      return;
    }
    ctx.out(header(app.name));
    ctx.out();
    styledObject(info).forEach((l) => ctx.out(l));
  },
});
