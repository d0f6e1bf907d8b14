import { defineCommand } from '../../framework/command.js';

export default defineCommand({
  summary: 'print the command that joins a new machine to the cluster as a worker (swarm runtime; admins only)',
  usage: 'nodes:join [--json]',
  description: 'Run the printed command as root on the new machine (Docker installed, ports 2377/tcp, 7946/tcp+udp and 4789/udp open to the other nodes). Its dynos are placed there as soon as it is ready; `slipway nodes` lists it.',
  examples: ['$ slipway nodes:join\ndocker swarm join --token SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgdbx 10.77.0.2:2377'],
  flags: { json: { type: 'boolean', description: 'output in JSON format' } },
  async run(ctx) {
    const join = await ctx.api.get<{ command: string; token: string; manager_address: string }>('/nodes/join');
    if (ctx.bool('json')) return ctx.json(join);
    ctx.out(join.command);
  },
});
