/**
 * Pure: what `slipway cleanup` removes for one platform instance, from a snapshot of the host.
 * An instance's host state is found by its id (isolation/instance.ts), never only through its data
 * dir (which may be gone): processes whose environment names the instance or its data dir (the
 * platform, the router process) or whose command line names one of its containers (conmon); the
 * cgroups `/slipway/<container>` of its dynos and build steps (every process in them); network
 * namespaces named after its containers, their veths, mounts under its data dir or its namespaces;
 * iptables rules tagged `slw:<id>` and the app/build chains made only of them; address claims held
 * by its containers; its owner file. The bridge itself (and its shared chains) goes too when no
 * other platform and no other namespace uses it.
 */
import { createHash } from 'node:crypto';

export interface HostProcess {
  pid: number;
  cmdline: string[];
  environ: string[];
}

export interface HostSnapshot {
  processes: HostProcess[];
  /** `<controller>/slipway/<container>` dirs under /sys/fs/cgroup (or `slipway/<container>` on v2). */
  cgroups: string[];
  netns: string[];
  links: string[];
  /** Mount points (from /proc/self/mountinfo). */
  mounts: string[];
  /** `iptables-save -t filter`. */
  iptables: string;
  /** `/run/slipway/claims/<bridge>/<ip>` → the container holding it. */
  claims: { bridge: string; ip: string; owner: string }[];
}

export interface CleanupTarget {
  instance: string;
  /** The data dir, when known (owner file or the command line). */
  dataDir: string | null;
  bridge: string | null;
}

export type Action =
  | { kind: 'kill'; pid: number; what: string }
  | { kind: 'cgroup'; path: string }
  | { kind: 'umount'; path: string }
  | { kind: 'netns'; name: string }
  | { kind: 'link'; name: string }
  | { kind: 'iptables'; script: string; rules: number; chains: string[] }
  | { kind: 'claim'; bridge: string; ip: string }
  | { kind: 'owner'; instance: string };

/** Container ids of an instance: dynos `<app>.<dyno>.<id><6 hex>`, build steps `slipway-run-<id><12 hex>`. */
export function isInstanceContainer(name: string, instance: string): boolean {
  return new RegExp(`\\.${instance}[0-9a-f]{6}$`).test(name) || new RegExp(`^slipway-run-${instance}[0-9a-f]{12}$`).test(name);
}

function hash8(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 8);
}

/** Host-side veth names a container may have had (dyno `slw…`, build `slb…`). */
export function vethCandidates(containerId: string): string[] {
  const h = hash8(containerId);
  return [`slw${h}`, `slb${h}`];
}

function isUnder(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

export function planCleanup(host: HostSnapshot, t: CleanupTarget): Action[] {
  const actions: Action[] = [];
  const mine = (name: string) => isInstanceContainer(name, t.instance);
  const containers = new Set<string>();
  for (const n of host.netns) if (mine(n)) containers.add(n);
  for (const c of host.cgroups) {
    const id = c.split('/').at(-1) ?? '';
    if (mine(id)) containers.add(id);
  }
  for (const c of host.claims) if (mine(c.owner)) containers.add(c.owner);

  // Processes first: the platform's own (by environment), conmon and anything naming a container.
  for (const p of host.processes) {
    const env = new Set(p.environ);
    const byEnv = env.has(`SLIPWAY_INSTANCE_ID=${t.instance}`) || (t.dataDir !== null && env.has(`SLIPWAY_DATA_DIR=${t.dataDir}`));
    const byArgs = p.cmdline.some((a) => mine(a) || (t.dataDir !== null && isUnder(a, t.dataDir)));
    if (byEnv || byArgs) actions.push({ kind: 'kill', pid: p.pid, what: p.cmdline.join(' ').slice(0, 120) });
  }
  // Every process in the containers' cgroups, then the cgroups themselves.
  for (const c of host.cgroups) if (mine(c.split('/').at(-1) ?? '')) actions.push({ kind: 'cgroup', path: c });
  // Mounts under the data dir (a namespace's own mount at /run/netns/<name> goes with `ip netns del`).
  for (const m of host.mounts) if (t.dataDir !== null && isUnder(m, t.dataDir)) actions.push({ kind: 'umount', path: m });
  for (const n of host.netns) if (mine(n)) actions.push({ kind: 'netns', name: n });
  const links = new Set(host.links);
  for (const id of containers) for (const v of vethCandidates(id)) if (links.has(v)) actions.push({ kind: 'link', name: v });

  const fw = firewallCleanup(host.iptables, t.instance);
  if (fw) actions.push(fw);
  for (const c of host.claims) if (mine(c.owner)) actions.push({ kind: 'claim', bridge: c.bridge, ip: c.ip });
  actions.push({ kind: 'owner', instance: t.instance });
  return actions;
}

/** The restore script deleting the instance's tagged rules and the chains made only of them. */
export function firewallCleanup(save: string, instance: string): Extract<Action, { kind: 'iptables' }> | null {
  const tagRe = new RegExp(`--comment "?slw:${instance}(:router)?"?( |$)`);
  const byChain = new Map<string, string[]>();
  for (const l of save.split('\n')) {
    const m = /^-A (\S+) (.*)$/.exec(l.trim());
    if (!m) continue;
    if (!byChain.has(m[1])) byChain.set(m[1], []);
    byChain.get(m[1])!.push(m[2]);
  }
  const whole: string[] = [];
  const lines: string[] = [];
  let rules = 0;
  for (const [chain, specs] of byChain) {
    const tagged = specs.filter((s) => tagRe.test(s));
    if (tagged.length === 0) continue;
    if (/^SLW-(APP|BLD)-/.test(chain) && tagged.length === specs.length) {
      whole.push(chain);
      rules += specs.length;
      continue;
    }
    for (const s of tagged) lines.push(`-D ${chain} ${s}`);
    rules += tagged.length;
  }
  // Jumps to whole chains are tagged too, so they are deleted above before the chains go.
  if (lines.length === 0 && whole.length === 0) return null;
  const script = ['*filter', ...lines, ...whole.map((c) => `-F ${c}`), ...whole.map((c) => `-X ${c}`), 'COMMIT', ''].join('\n');
  return { kind: 'iptables', script, rules, chains: whole };
}
