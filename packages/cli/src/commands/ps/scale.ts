import type { Formation } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { CliError } from '../../framework/errors.js';
import { displaySize } from '../../format/sizes.js';
import { parseScaleArgs } from '../../parse/scale.js';

export default defineCommand({
  summary: 'scale dyno quantity up or down (and optionally change the size)',
  usage: 'ps:scale [TYPE=QUANTITY[:SIZE] | TYPE+N | TYPE-N ...] [-a APP]',
  aliases: ['scale', 'dyno:scale'],
  description: 'Without arguments, shows the current formation.',
  examples: [
    '$ slipway ps:scale web=2 worker+1 -a myapp\nScaling dynos... done, now running web at 2:Standard-1X, worker at 1:Standard-1X',
    '$ slipway ps:scale web=1:standard-2x -a myapp\nScaling dynos... done, now running web at 1:Standard-2X',
    '$ slipway ps:scale -a myapp\nweb=1:Standard-2X worker=1:Standard-1X',
  ],
  app: true,
  flags: { json: { type: 'boolean', description: 'output the formation in JSON format' } },
  async run(ctx) {
    const app = await ctx.app();
    if (ctx.args.length === 0) {
      const formation = await ctx.api.get<Formation[]>(path`/apps/${app}/formation`);
      if (ctx.bool('json')) return ctx.json(formation);
      if (formation.length === 0) throw new CliError(`No process types on ${app}. Upload a Procfile to add process types.`);
      ctx.out(formation.map((f) => `${f.type}=${f.quantity}:${displaySize(f.size)}`).sort().join(' '));
      return;
    }
    const updates = parseScaleArgs(ctx.args);
    const result = await ctx.action(
      'Scaling dynos',
      () => ctx.api.patch<Formation[]>(path`/apps/${app}/formation`, { updates }),
      (formation) => {
        const changed = formation.filter((f) => updates.some((u) => u.type === f.type));
        return `done, now running ${changed.map((f) => `${f.type} at ${f.quantity}:${displaySize(f.size)}`).join(', ')}`;
      },
    );
    if (ctx.bool('json')) ctx.json(result);
  },
});
