/**
 * Pure: what `slipway nodes` shows, from the Swarm API's nodes and tasks and the node agents'
 * usage; which dynos a drain has to move. No I/O here (nodes.ts reads and applies).
 */
import type { NodeUsage } from './usage-intake.js';
import type { SwarmNode as NodeApiShape } from '@slipway/contract';

/** The fields of `GET /nodes` (Docker Engine API) this view reads. */
export interface SwarmNode {
  ID: string;
  Description?: { Hostname?: string; Resources?: { NanoCPUs?: number; MemoryBytes?: number } };
  Spec?: { Role?: string; Availability?: string };
  Status?: { State?: string; Addr?: string };
  ManagerStatus?: { Leader?: boolean; Addr?: string };
}

/** The fields of `GET /tasks` this view reads. */
export interface SwarmTask {
  ID: string;
  NodeID?: string;
  DesiredState?: string;
  Status?: { State?: string; ContainerStatus?: { ContainerID?: string } };
  Spec?: {
    ContainerSpec?: { Labels?: Record<string, string> };
    Resources?: { Reservations?: { NanoCPUs?: number; MemoryBytes?: number } };
  };
}

/** One Slipway dyno's task (the labels the swarm driver puts on every dyno's container spec). */
export interface DynoTask {
  taskId: string;
  nodeId: string;
  appId: string;
  app: string;
  dyno: string;
  type: string;
  state: string;
  containerId: string | null;
  reservedNanoCpus: number;
  reservedMemoryBytes: number;
}

/** The nodes API's shape, shared with the other side through the contract package. */
export type NodeView = NodeApiShape;

const NANO = 1e9;

/** The tasks of Slipway dynos that are meant to run (desired state running), with their labels read. */
export function dynoTasks(tasks: SwarmTask[]): DynoTask[] {
  const out: DynoTask[] = [];
  for (const t of tasks) {
    const l = t.Spec?.ContainerSpec?.Labels ?? {};
    if (!l['slipway.dyno'] || !l['slipway.app-id'] || t.DesiredState !== 'running' || !t.NodeID) continue;
    out.push({
      taskId: t.ID, nodeId: t.NodeID, appId: l['slipway.app-id'], app: l['slipway.app'] ?? l['slipway.app-id'],
      dyno: l['slipway.dyno'], type: l['slipway.type'] ?? l['slipway.dyno'].split('.')[0],
      state: t.Status?.State ?? 'unknown', containerId: t.Status?.ContainerStatus?.ContainerID ?? null,
      reservedNanoCpus: t.Spec?.Resources?.Reservations?.NanoCPUs ?? 0,
      reservedMemoryBytes: t.Spec?.Resources?.Reservations?.MemoryBytes ?? 0,
    });
  }
  return out;
}

const byDyno = (a: { app: string; dyno: string }, b: { app: string; dyno: string }) =>
  a.app.localeCompare(b.app) || a.dyno.localeCompare(b.dyno, 'en', { numeric: true });

export function nodeViews(nodes: SwarmNode[], tasks: SwarmTask[], usage: NodeUsage[]): NodeView[] {
  const dynos = dynoTasks(tasks);
  const reports = new Map(usage.map((u) => [u.nodeId, u]));
  return nodes.map((n): NodeView => {
    const mine = dynos.filter((d) => d.nodeId === n.ID).sort(byDyno);
    const u = reports.get(n.ID);
    const managerAddr = n.ManagerStatus?.Addr?.replace(/:\d+$/, '');
    return {
      id: n.ID,
      hostname: n.Description?.Hostname ?? '',
      role: n.Spec?.Role ?? 'worker',
      leader: n.ManagerStatus?.Leader === true,
      state: n.Status?.State ?? 'unknown',
      availability: n.Spec?.Availability ?? 'active',
      address: n.Status?.Addr && n.Status.Addr !== '0.0.0.0' ? n.Status.Addr : managerAddr ?? null,
      cpus: (n.Description?.Resources?.NanoCPUs ?? 0) / NANO,
      memory_bytes: n.Description?.Resources?.MemoryBytes ?? 0,
      reserved: {
        cpus: mine.reduce((a, d) => a + d.reservedNanoCpus, 0) / NANO,
        memory_bytes: mine.reduce((a, d) => a + d.reservedMemoryBytes, 0),
      },
      used: u ? {
        cpu_cores: Math.round(u.dynoCpuCores * 1000) / 1000, memory_bytes: u.dynoMemoryBytes,
        memory_available_bytes: u.memoryAvailableBytes, load1: u.load1, reported_at: new Date(u.seenAtMs).toISOString(),
      } : null,
      dynos: mine.map((d) => ({ app: d.app, dyno: d.dyno, state: d.state })),
    };
  }).sort((a, b) => Number(b.role === 'manager') - Number(a.role === 'manager') || a.hostname.localeCompare(b.hostname));
}

/**
 * The node named by `ref`: its full id, a unique id prefix, or its hostname. Returns the node, or a
 * reason it cannot be chosen ('unknown' / 'ambiguous').
 */
export function findNode(nodes: SwarmNode[], ref: string): SwarmNode | 'unknown' | 'ambiguous' {
  const exact = nodes.find((n) => n.ID === ref);
  if (exact) return exact;
  const named = nodes.filter((n) => n.Description?.Hostname === ref);
  if (named.length === 1) return named[0];
  if (named.length > 1) return 'ambiguous';
  const prefixed = ref.length >= 4 ? nodes.filter((n) => n.ID.startsWith(ref)) : [];
  if (prefixed.length === 1) return prefixed[0];
  return prefixed.length > 1 ? 'ambiguous' : 'unknown';
}

/** The formation dynos a drain of `nodeId` moves, one at a time, in a stable order (one-off dynos end with the drain instead). */
export function drainPlan(tasks: SwarmTask[], nodeId: string): { appId: string; app: string; dyno: string }[] {
  return dynoTasks(tasks)
    .filter((d) => d.nodeId === nodeId && d.type !== 'run' && !d.dyno.startsWith('run.') && !d.dyno.startsWith('release.'))
    .sort(byDyno)
    .map(({ appId, app, dyno }) => ({ appId, app, dyno }));
}
