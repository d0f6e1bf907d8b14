import { defineCommand } from '../../framework/command.js';
import { header } from '../../format/styled.js';
import { nodesTable, type NodeView } from '../../format/nodes.js';

export default defineCommand({
  summary: 'list the cluster\'s nodes with their dynos, CPU and memory (swarm runtime; admins only)',
  usage: 'nodes [--json]',
  description: 'Used comes from the node agent on each node (the dynos\' memory without page cache and the CPU cores they kept busy over the last interval); "-" when the node\'s agent has not reported lately. Reserved is what the dynos\' sizes reserve.',
  examples: [
    '$ slipway nodes\n=== Nodes\n\n Node   ID            Role               State  Availability  Address    CPU used/reserved/total  Memory used/reserved/total  Dynos\n ─────  ────────────  ─────────────────  ─────  ────────────  ─────────  ───────────────────────  ──────────────────────────  ───────────────────────\n node1  x1c9g0ewc2ja  manager (leader)   ready  active        10.77.0.2  0.05 / 1 / 2             61.2 MB / 512 MB / 7.8 GB  myapp web.1, myapp web.3\n node2  qk3l7wq0t9sa  worker             ready  active        10.77.0.3  0.02 / 1 / 2             58 MB / 512 MB / 7.8 GB    myapp web.2, myapp worker.1',
  ],
  flags: { json: { type: 'boolean', description: 'output in JSON format' } },
  async run(ctx) {
    const nodes = await ctx.api.get<NodeView[]>('/nodes');
    if (ctx.bool('json')) return ctx.json(nodes);
    ctx.out(header('Nodes'));
    ctx.out();
    for (const line of nodesTable(nodes)) ctx.out(line);
  },
});
