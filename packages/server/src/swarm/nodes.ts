/**
 * The cluster's nodes as Slipway shows and operates them (`slipway nodes`, `nodes:join`,
 * `nodes:drain`, `nodes:activate`), through the Swarm manager's API (dockerode).
 *
 * Draining: every dyno is its own service with restart condition none, so Swarm would just stop a
 * drained node's dynos and leave the dyno manager to notice the exits. Instead Slipway first sets
 * the node's availability to `pause` (Swarm places nothing new there, what runs keeps serving),
 * then asks the dyno manager to cycle the node's formation dynos one at a time, waiting for each
 * replacement to be up (Swarm's scheduler puts it on another node) before the next, and only then
 * sets availability `drain` (Swarm stops whatever is left: one-off dynos, the node agent).
 */
import type Dockerode from 'dockerode';
import { InvalidParamsError, NotFoundError } from '../errors.js';
import type { Logger } from '../log/index.js';
import { drainPlan, findNode, nodeViews, type NodeView, type SwarmNode, type SwarmTask } from './nodes-view.js';
import type { UsageIntake } from './usage-intake.js';

export type Availability = 'active' | 'pause' | 'drain';

export interface SwarmNodesDeps {
  docker: Pick<Dockerode, 'listNodes' | 'listTasks' | 'swarmInspect' | 'info' | 'getNode'>;
  usage?: Pick<UsageIntake, 'nodes'>;
  /** Restart one formation dyno through the dyno manager and resolve when its replacement is up (or reject). */
  cycleDyno: (appId: string, dyno: string) => Promise<void>;
  logger: Logger;
}

export interface SwarmNodes {
  list(): Promise<NodeView[]>;
  get(ref: string): Promise<NodeView>;
  joinCommand(): Promise<{ command: string; token: string; manager_address: string }>;
  /** `active`: back in service. `drain`: pauses the node, moves its dynos one at a time (in the background), then drains it. */
  setAvailability(ref: string, availability: 'active' | 'drain'): Promise<{ node: NodeView; moving: { app: string; dyno: string }[] }>;
  /** Waits for the drains in progress (tests). */
  settled(): Promise<void>;
  /** Stops moving dynos after the one being moved (a drain in progress stays paused; run nodes:drain again). */
  close(): Promise<void>;
}

export function createSwarmNodes(deps: SwarmNodesDeps): SwarmNodes {
  const { docker, logger } = deps;
  const draining = new Map<string, Promise<void>>();
  let closed = false;

  const tasks = async () => (await docker.listTasks({ filters: { 'desired-state': ['running'] } })) as SwarmTask[];
  const resolve = async (ref: string): Promise<SwarmNode> => {
    const found = findNode((await docker.listNodes()) as SwarmNode[], ref);
    if (found === 'unknown') throw new NotFoundError('node', `Couldn't find that node: ${ref}.`);
    if (found === 'ambiguous') throw new InvalidParamsError(`More than one node matches ${ref}: use its id.`, 'node');
    return found;
  };
  const view = async (id: string) => {
    const [nodes, t] = await Promise.all([docker.listNodes(), tasks()]);
    const v = nodeViews((nodes as SwarmNode[]).filter((n) => n.ID === id), t, deps.usage?.nodes() ?? []);
    if (!v[0]) throw new NotFoundError('node');
    return v[0];
  };
  const update = async (id: string, availability: Availability) => {
    const node = docker.getNode(id);
    const current = await node.inspect();
    await node.update({ _query: { version: current.Version.Index }, _body: { ...current.Spec, Availability: availability } });
    logger.info('nodes.availability', { node: id, availability });
  };

  const drain = async (id: string, plan: { appId: string; app: string; dyno: string }[]) => {
    for (const d of plan) {
      if (closed) return;
      try {
        await deps.cycleDyno(d.appId, d.dyno);
        logger.info('nodes.dyno_moved', { node: id, app: d.app, dyno: d.dyno });
      } catch (err) {
        logger.warn('nodes.dyno_move_failed', { node: id, app: d.app, dyno: d.dyno, error: (err as Error).message });
      }
    }
    await update(id, 'drain');
  };

  return {
    async list() {
      const [nodes, t] = await Promise.all([docker.listNodes(), tasks()]);
      return nodeViews(nodes as SwarmNode[], t, deps.usage?.nodes() ?? []);
    },
    async get(ref) {
      return view((await resolve(ref)).ID);
    },
    async joinCommand() {
      const [swarm, info] = await Promise.all([docker.swarmInspect(), docker.info()]);
      const token: string | undefined = swarm?.JoinTokens?.Worker;
      const managers: { Addr?: string }[] = info?.Swarm?.RemoteManagers ?? [];
      const addr = managers.find((m) => m.Addr)?.Addr ?? (info?.Swarm?.NodeAddr ? `${info.Swarm.NodeAddr}:2377` : undefined);
      if (!token || !addr) throw new InvalidParamsError('The Docker daemon at DOCKER_HOST is not a Swarm manager.');
      return { command: `docker swarm join --token ${token} ${addr}`, token, manager_address: addr };
    },
    async setAvailability(ref, availability) {
      const node = await resolve(ref);
      if (availability === 'active') {
        if (draining.has(node.ID)) throw new InvalidParamsError(`Node ${ref} is being drained; activate it when its dynos have moved.`, 'availability');
        await update(node.ID, 'active');
        return { node: await view(node.ID), moving: [] };
      }
      if (draining.has(node.ID)) return { node: await view(node.ID), moving: [] };
      const plan = drainPlan(await tasks(), node.ID);
      await update(node.ID, 'pause');
      const p = drain(node.ID, plan)
        .catch((err) => logger.error('nodes.drain_failed', { node: node.ID, error: (err as Error).message }))
        .finally(() => draining.delete(node.ID));
      draining.set(node.ID, p);
      return { node: await view(node.ID), moving: plan.map(({ app, dyno }) => ({ app, dyno })) };
    },
    async settled() {
      await Promise.all(draining.values());
    },
    async close() {
      closed = true;
      await Promise.all(draining.values());
    },
  };
}
