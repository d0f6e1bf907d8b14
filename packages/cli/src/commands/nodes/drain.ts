import { defineCommand } from '../../framework/command.js';
import { path } from '../../api/client.js';
import { UsageError } from '../../framework/errors.js';
import type { NodeView } from '../../format/nodes.js';

export default defineCommand({
  summary: 'move a node\'s dynos elsewhere, one at a time, then drain it (swarm runtime; admins only)',
  usage: 'nodes:drain NODE [--json]',
  description: 'NODE is a hostname, a node id or a unique id prefix. The node is paused at once (nothing new is placed there), its dynos are restarted on other nodes one after the other, each waiting for the previous one to be up, and then the node is drained. `slipway nodes` shows the progress; `nodes:activate NODE` brings it back.',
  examples: ['$ slipway nodes:drain node2\nDraining node2... done, moving 2 dynos one at a time: myapp web.2, myapp worker.1'],
  flags: { json: { type: 'boolean', description: 'output in JSON format' } },
  async run(ctx) {
    const ref = ctx.args[0];
    if (!ref) throw new UsageError('Missing NODE. Usage: slipway nodes:drain NODE');
    const result = await ctx.action(
      `Draining ${ref}`,
      () => ctx.api.patch<{ node: NodeView; moving: { app: string; dyno: string }[] }>(path`/nodes/${ref}`, { availability: 'drain' }),
      (r) => (r.moving.length
        ? `done, moving ${r.moving.length} dyno${r.moving.length === 1 ? '' : 's'} one at a time: ${r.moving.map((d) => `${d.app} ${d.dyno}`).join(', ')}`
        : 'done, no dynos to move'),
    );
    if (ctx.bool('json')) ctx.json(result);
  },
});
