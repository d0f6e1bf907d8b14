/**
 * `slipway cleanup`: removes what platform instances left on the host (plan.ts says what, host.ts
 * reads and applies). This file is the room's only door.
 */
import { execCapture, liveInstances, ownerAlive, parseCidr, readInstanceId, readOwners, removeBridge, type InstanceOwner } from '../isolation/index.js';
import { applyAction, snapshotHost } from './host.js';
import { planCleanup, type Action, type CleanupTarget } from './plan.js';

export { firewallCleanup, isInstanceContainer, planCleanup, vethCandidates } from './plan.js';
export type { Action, CleanupTarget, HostSnapshot } from './plan.js';

export class CleanupRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CleanupRefused';
  }
}

export interface CleanupRequest {
  /** This data dir's instance (its `instance-id`). */
  dataDir?: string;
  /** An instance by id (its data dir may be gone). */
  instance?: string;
  /** Every instance whose platform process is dead. */
  orphans?: boolean;
}

/** Which instances to clean; refuses a live one (stop it first: Ctrl-C stops everything). */
export async function findTargets(req: CleanupRequest): Promise<CleanupTarget[]> {
  const owners = await readOwners();
  const byId = new Map(owners.map((o) => [o.id, o]));
  const target = (id: string, o: InstanceOwner | undefined, dataDir: string | null): CleanupTarget => ({ instance: id, dataDir: o?.dataDir ?? dataDir, bridge: o?.bridge ?? null });
  const out: CleanupTarget[] = [];
  const one = async (id: string, dataDir: string | null) => {
    const o = byId.get(id);
    if (o && (await ownerAlive(o))) throw new CleanupRefused(`The platform of instance ${id} (${o.dataDir}) is running as pid ${o.pid}: stop it first (Ctrl-C or SIGINT stops its router and dynos too).`);
    out.push(target(id, o, dataDir));
  };
  if (req.instance) await one(req.instance, null);
  if (req.dataDir && !req.instance) {
    const id = await readInstanceId(req.dataDir);
    const owned = owners.find((o) => o.dataDir === req.dataDir);
    if (id === null && !owned) throw new CleanupRefused(`${req.dataDir} has no instance-id and no platform on this host names it: nothing to clean (use --orphans or --instance ID).`);
    await one(id ?? owned!.id, req.dataDir);
  }
  if (req.orphans) {
    for (const o of owners) if (!(await ownerAlive(o)) && !out.some((t) => t.instance === o.id)) out.push(target(o.id, o, null));
  }
  return out;
}

export interface CleanupReport {
  instance: string;
  done: Action[];
  failures: { action: Action; error: string }[];
  bridgeRemoved: string | null;
}

const ORDER: Action['kind'][] = ['kill', 'cgroup', 'umount', 'netns', 'link', 'iptables', 'claim', 'owner'];

export async function cleanupInstance(t: CleanupTarget): Promise<CleanupReport> {
  const report: CleanupReport = { instance: t.instance, done: [], failures: [], bridgeRemoved: null };
  const plan = planCleanup(await snapshotHost(), t).sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
  let killed = false;
  for (const a of plan) {
    // Killed processes release their namespaces and mounts: give them a moment before the rest.
    if (killed && a.kind !== 'kill') {
      killed = false;
      await new Promise((r) => setTimeout(r, 200));
    }
    killed ||= a.kind === 'kill';
    try {
      await applyAction(a);
      report.done.push(a);
    } catch (err) {
      report.failures.push({ action: a, error: (err as Error).message });
    }
  }
  // Any leftover: a second pass finds what the first one's processes still made while dying.
  const again = planCleanup(await snapshotHost(), t).filter((a) => a.kind !== 'owner');
  for (const a of again) {
    try {
      await applyAction(a);
      report.done.push(a);
    } catch (err) {
      report.failures.push({ action: a, error: (err as Error).message });
    }
  }
  if (t.bridge) report.bridgeRemoved = await removeBridgeIfUnused(t.bridge, t.instance);
  return report;
}

/** The bridge goes when no running platform uses it and nothing is plugged into it any more. */
async function removeBridgeIfUnused(bridge: string, instance: string): Promise<string | null> {
  const live = await liveInstances();
  const owners = await readOwners();
  if (owners.some((o) => o.bridge === bridge && o.id !== instance && live.has(o.id))) return null;
  const ports = await execCapture('ip', ['-o', 'link', 'show', 'master', bridge]);
  if (ports.code !== 0 || ports.stdout.trim() !== '') return null;
  const addr = await execCapture('ip', ['-4', '-o', 'addr', 'show', 'dev', bridge]);
  const cidr = /inet (\d+\.\d+\.\d+\.\d+\/\d+)/.exec(addr.stdout)?.[1];
  if (!cidr) return null;
  await removeBridge({ bridge, subnet: parseCidr(cidr), routerPort: null });
  return bridge;
}
