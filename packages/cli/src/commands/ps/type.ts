import { DYNO_SIZES, type Formation } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import type { Context } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { CliError } from '../../framework/errors.js';
import { displaySize } from '../../format/sizes.js';
import { table } from '../../format/styled.js';
import { parseTypeSizeArgs } from '../../parse/scale.js';

export default defineCommand({
  summary: 'show or change the dyno size of process types',
  usage: 'ps:type [SIZE | TYPE=SIZE ...] [-a APP]',
  aliases: ['ps:resize', 'dyno:type', 'dyno:resize'],
  description: `A single SIZE changes every process type. Sizes: ${DYNO_SIZES.map((s) => s.name).join(', ')}.`,
  examples: [
    '$ slipway ps:type -a myapp\n Type    Size         Qty  Memory\n ─────── ──────────── ───  ──────\n web     Standard-2X  2    1024 MB\n worker  Standard-1X  1    512 MB',
    '$ slipway ps:type worker=standard-2x -a myapp\nUpdating dyno sizes... done\n Type    Size         Qty  Memory\n ─────── ──────────── ───  ──────\n web     Standard-2X  2    1024 MB\n worker  Standard-2X  1    1024 MB',
  ],
  app: true,
  flags: { json: { type: 'boolean', description: 'output the formation in JSON format' } },
  async run(ctx) {
    const app = await ctx.app();
    if (ctx.args.length > 0) {
      const formation = await ctx.api.get<Formation[]>(path`/apps/${app}/formation`);
      let updates: { type: string; size: string }[];
      if (ctx.args.length === 1 && !ctx.args[0].includes('=')) {
        updates = formation.map((f) => ({ size: ctx.args[0], type: f.type }));
      } else {
        updates = parseTypeSizeArgs(ctx.args);
        const types = new Set(formation.map((f) => f.type));
        for (const u of updates) {
          if (!types.has(u.type)) throw new CliError(`Type ${u.type} not found in process formation. Types: ${[...types].sort().join(', ') || 'none'}`);
        }
      }
      if (updates.length === 0) throw new CliError(`No process types on ${app}. Upload a Procfile to add process types.`);
      await ctx.action('Updating dyno sizes', () => ctx.api.patch(path`/apps/${app}/formation`, { updates }));
    }
    await show(ctx, app);
  },
});

async function show(ctx: Context, app: string): Promise<void> {
  const formation = await ctx.api.get<Formation[]>(path`/apps/${app}/formation`);
  if (ctx.bool('json')) return ctx.json(formation);
  const rows = formation.filter((f) => typeof f.size === 'string' && typeof f.quantity === 'number').sort((a, b) => a.type.localeCompare(b.type));
  if (rows.length === 0) return ctx.out(`No process types on ${app}.`);
  const memory = (size: string) => {
    const s = DYNO_SIZES.find((d) => d.display === displaySize(size));
    return s ? `${s.memoryMb} MB` : '';
  };
  table(rows, [
    { header: 'Type', get: (f) => f.type },
    { header: 'Size', get: (f) => displaySize(f.size) },
    { header: 'Qty', get: (f) => f.quantity },
    { header: 'Memory', get: (f) => memory(f.size) },
  ]).forEach((l) => ctx.out(l));
}
