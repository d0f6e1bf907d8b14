import type { Pipeline } from '@slipway/contract';
import { defineCommand } from '../../framework/command.js';
import { header } from '../../format/styled.js';

export default defineCommand({
  summary: 'list the pipelines you can see',
  usage: 'pipelines [--json]',
  examples: ['$ slipway pipelines\n=== My Pipelines\n\nshop'],
  flags: { json: { type: 'boolean', description: 'output in JSON format' } },
  async run(ctx) {
    const pipelines = await ctx.api.get<Pipeline[]>('/pipelines');
    if (ctx.bool('json')) return ctx.json(pipelines);
    ctx.out(header('My Pipelines'));
    ctx.out();
    for (const p of pipelines) ctx.out(p.name);
  },
});
