import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { table } from '../../format/styled.js';

/** The add-on fields the slipway CLI reads (Heroku's shape, heroku-contract-2.md C3). */
export interface AddonJson {
  id: string;
  name: string;
  app: { id: string; name: string };
  plan: { name: string };
  state: string;
  config_vars: string[];
}
export interface AttachmentJson {
  id: string;
  name: string;
  app: { name: string };
  addon: { id: string; name: string; app: { name: string } };
}

/** Heroku's words for the states in `addons` tables. */
export const STATE_WORDS: Record<string, string> = { provisioned: 'created', provisioning: 'creating', deprovisioning: 'destroying', deprovisioned: 'errored' };

export default defineCommand({
  summary: 'list the add-ons of an app (with their attachments), or of every app (-A)',
  usage: 'addons [-a APP] [-A] [--json]',
  app: true,
  examples: ['$ slipway addons -a myapp\n Add-on                              Plan         State\n ─────────────────────────────────── ──────────── ───────\n postgresql-curved-12345             essential-0  created\n  └─ as DATABASE'],
  flags: { all: { type: 'boolean', char: 'A', description: 'the add-ons of every app you can see' }, json: { type: 'boolean', description: 'output in JSON format' } },
  async run(ctx) {
    if (ctx.bool('all')) {
      const all = await ctx.api.get<AddonJson[]>('/addons');
      if (ctx.bool('json')) return ctx.json(all);
      table(all, [
        { header: 'Owning App', get: (a) => a.app.name },
        { header: 'Add-on', get: (a) => a.name },
        { header: 'Plan', get: (a) => a.plan.name.split(':')[1] ?? a.plan.name },
        { header: 'State', get: (a) => STATE_WORDS[a.state] ?? a.state },
      ]).forEach((l) => ctx.out(l));
      return;
    }
    const app = await ctx.app();
    const [addons, attachments] = await Promise.all([
      ctx.api.get<AddonJson[]>(path`/apps/${app}/addons`),
      ctx.api.get<AttachmentJson[]>(path`/apps/${app}/addon-attachments`),
    ]);
    if (ctx.bool('json')) return ctx.json(addons);
    if (addons.length === 0 && attachments.length === 0) return ctx.out(`No add-ons for app ${app}.`);
    const rows = addons.flatMap((a) => [
      { name: a.name, plan: a.plan.name.split(':')[1] ?? a.plan.name, state: STATE_WORDS[a.state] ?? a.state },
      ...attachments.filter((x) => x.addon.id === a.id).map((x) => ({ name: ` └─ as ${x.name}`, plan: '', state: '' })),
    ]);
    for (const x of attachments.filter((x) => !addons.some((a) => a.id === x.addon.id))) {
      rows.push({ name: `${x.addon.app.name}::${x.addon.name}`, plan: '', state: '' }, { name: ` └─ as ${x.name}`, plan: '', state: '' });
    }
    table(rows, [
      { header: 'Add-on', get: (r) => r.name },
      { header: 'Plan', get: (r) => r.plan },
      { header: 'State', get: (r) => r.state },
    ]).forEach((l) => ctx.out(l));
  },
});
