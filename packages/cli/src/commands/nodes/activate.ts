import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { UsageError } from '../../framework/errors.js';
import type { NodeView } from '../../format/nodes.js';

export default defineCommand({
  summary: 'put a paused or drained node back in service (swarm runtime; admins only)',
  usage: 'nodes:activate NODE [--json]',
  description: 'New dynos may be placed on it again; running dynos stay where they are until they restart.',
  examples: ['$ slipway nodes:activate node2\nActivating node2... done'],
  flags: { json: { type: 'boolean', description: 'output in JSON format' } },
  async run(ctx) {
    const ref = ctx.args[0];
    if (!ref) throw new UsageError('Missing NODE. Usage: slipway nodes:activate NODE');
    const result = await ctx.action(`Activating ${ref}`, () => ctx.api.patch<{ node: NodeView }>(path`/nodes/${ref}`, { availability: 'active' }));
    if (ctx.bool('json')) ctx.json(result);
  },
});
