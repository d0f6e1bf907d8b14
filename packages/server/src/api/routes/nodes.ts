/**
 * Nodes (Slipway extension, swarm runtime; docs/swarm.md "Nodes, usage and draining"), admin only:
 * - `GET /nodes` — every node: role, state, availability, address, CPUs and memory, reserved by
 *   dynos, used (from the node agents), and its dynos.
 * - `GET /nodes/join` — `{command, token, manager_address}`: the Swarm join command for a new machine.
 * - `PATCH /nodes/:node {availability: "drain"|"active"}` — `:node` is an id, a unique id prefix or a
 *   hostname. Drain answers 202 with the dynos it is moving, one at a time, before draining the node.
 * Under another runtime every path answers 503 `unavailable` saying so.
 */
import { z } from 'zod';
import { SlipwayError } from '../../errors.js';
import type { SwarmNodes } from '../../swarm/index.js';
import type { Ctx, Route } from '../http/index.js';
import { body } from '../validate.js';
import { requireAdmin } from './deps.js';

export interface NodeRouteDeps {
  /** Null when the runtime is not swarm. */
  nodes: SwarmNodes | null;
  /** The runtime in use, for the error under another one. */
  runtime: string;
}

const Availability = z.strictObject({ availability: z.enum(['drain', 'active']) });

export function nodeRoutes(deps: NodeRouteDeps): Route[] {
  const nodes = (ctx: Ctx): SwarmNodes => {
    requireAdmin(ctx);
    if (!deps.nodes) {
      throw new SlipwayError('unavailable', `Nodes are part of the swarm runtime; this platform runs its dynos with the ${deps.runtime} runtime (SLIPWAY_RUNTIME=swarm).`);
    }
    return deps.nodes;
  };
  return [
    { method: 'GET', path: '/nodes', handler: async (ctx) => ({ body: await nodes(ctx).list() }) },
    { method: 'GET', path: '/nodes/join', handler: async (ctx) => ({ body: await nodes(ctx).joinCommand() }) },
    {
      method: 'PATCH', path: '/nodes/:node',
      handler: async (ctx) => {
        const n = nodes(ctx);
        const input = await body(ctx, Availability);
        const result = await n.setAvailability(ctx.params.node, input.availability);
        return { status: input.availability === 'drain' ? 202 : 200, body: result };
      },
    },
  ];
}
