/**
 * Applies firewall.ts's plans: one `iptables-restore --noflush` per dyno start or stop (atomic, one
 * spawn; the dynos of starts that come together share one, openDynos), a full reconcile of the bridge's chains at every platform start, and the IPv6 drop.
 * Failures are thrown with iptables' message (the caller logs them at error and fails the start);
 * nothing is swallowed except deleting what is already gone.
 */
import { access, writeFile } from 'node:fs/promises';
import { exec, execCapture } from './exec.js';
import {
  attachLines, bridgeChains, detachLines, dynoJump, buildChainName, chainTail, line, newAppChainLines, parseSave, reconcilePlan, restoreScript,
  type FirewallNet, type OutboundBlock,
} from './firewall.js';

const WAIT = ['-w', '10'];

export interface FirewallOptions {
  net: FirewallNet;
  /** This platform's instance id (instance.ts). */
  instance: string;
  routerPort: number | null;
  outboundBlock: OutboundBlock;
  /** DNS servers dynos and builds are given: reachable on port 53 even when their range is blocked. */
  resolvers?: readonly string[];
}

export interface DynoRules {
  veth: string;
  ip: string;
  /** The app chain (appChainName), or the build chain for builds. */
  chain: string;
  /** Host ports of the add-on servers the dyno's app is attached to (accepted from this dyno only). */
  ports?: readonly number[];
}

export interface Firewall {
  readonly options: FirewallOptions;
  /**
   * Brings the bridge's chains to their correct state (firewall.ts reconcilePlan) and makes sure
   * INPUT/FORWARD jump to them and IPv6 is dropped. `liveInstances`: instances whose process runs.
   */
  reconcile(liveInstances: Set<string>): Promise<{ removed: number }>;
  openDyno(d: DynoRules): Promise<void>;
  /**
   * Opens to many dynos in one iptables-restore (each new app chain declared once); when that is
   * refused, each on its own, so only the one at fault fails. Says how each went (null = opened).
   */
  openDynos(list: readonly DynoRules[]): Promise<(Error | null)[]>;
  closeDyno(d: DynoRules): Promise<void>;
  openBuild(d: Omit<DynoRules, 'chain'>): Promise<void>;
  closeBuild(d: Omit<DynoRules, 'chain'>): Promise<void>;
  /** Deletes this instance's build chain when no build step uses it (the platform stops). */
  dropBuildChain(): Promise<void>;
}

export async function iptablesSave(v6 = false): Promise<string> {
  return exec(v6 ? 'ip6tables-save' : 'iptables-save', ['-t', 'filter']);
}

export async function iptablesRestore(script: string, v6 = false): Promise<void> {
  await exec(v6 ? 'ip6tables-restore' : 'iptables-restore', [...WAIT, '--noflush'], { input: script });
}

/** `-C` then `-I … 1`: a jump from a built-in chain, made once. */
async function ensureJump(cmd: 'iptables' | 'ip6tables', chain: string, rule: string[], table = 'filter'): Promise<void> {
  const check = await execCapture(cmd, [...WAIT, '-t', table, '-C', chain, ...rule]);
  if (check.code === 0) return;
  await exec(cmd, [...WAIT, '-t', table, '-I', chain, '1', ...rule]);
}

async function writeSysctl(file: string, value: string): Promise<boolean> {
  try {
    await writeFile(file, value);
    return true;
  } catch {
    return false;
  }
}

export async function hostHasIpv6(): Promise<boolean> {
  return access('/proc/sys/net/ipv6').then(() => true, () => false);
}

/** ip6tables: everything from or to the bridge dropped (dynos and builds have no IPv6). */
export async function ensureIpv6Drop(bridge: string): Promise<void> {
  if (!(await hostHasIpv6())) return;
  // Bridged IPv6 between ports goes through ip6tables only when this is on; then it is dropped below.
  await writeSysctl('/proc/sys/net/bridge/bridge-nf-call-ip6tables', '1');
  await writeSysctl(`/proc/sys/net/ipv6/conf/${bridge}/disable_ipv6`, '1');
  const chain = bridgeChains(bridge).ip6;
  const saved = parseSave(await iptablesSave(true));
  if (!saved.chains.has(chain)) await iptablesRestore(restoreScript([`:${chain} - [0:0]`, line('-A', chain, ['-j', 'DROP'])]), true);
  await ensureJump('ip6tables', 'INPUT', ['-i', bridge, '-j', chain]);
  await ensureJump('ip6tables', 'FORWARD', ['-i', bridge, '-j', chain]);
  await ensureJump('ip6tables', 'FORWARD', ['-o', bridge, '-j', chain]);
}

/** No IPv6 on a host-side veth (the bridge port): no link-local address the host would answer on. */
export async function disableIpv6On(iface: string): Promise<void> {
  await writeSysctl(`/proc/sys/net/ipv6/conf/${iface}/disable_ipv6`, '1');
}

export function createFirewall(options: FirewallOptions): Firewall {
  const { net, instance } = options;
  /** App chains this instance made and still holds (restore must declare a chain it creates, and only then). */
  const chains = new Set<string>();
  const buildChain = buildChainName(net.bridge, instance);

  const refresh = async () => {
    const saved = parseSave(await iptablesSave());
    chains.clear();
    for (const c of saved.chains) if (c.startsWith('SLW-')) chains.add(c);
  };

  const openIn = async (list: readonly DynoRules[]) => {
    const fresh = [...new Set(list.map((d) => d.chain).filter((c) => !chains.has(c)))];
    const decls = fresh.flatMap((c) => newAppChainLines(net, instance, c, options.outboundBlock, options.resolvers));
    await iptablesRestore(restoreScript([...decls, ...list.flatMap((d) => attachLines(net, instance, d))]));
    for (const c of fresh) chains.add(c);
  };
  const openDyno = async (d: DynoRules) => {
    try {
      await openIn([d]);
    } catch {
      // Another platform's reconcile may have removed an app chain of ours that had no dyno: look again.
      await refresh();
      await openIn([d]);
    }
  };

  return {
    options,
    async reconcile(liveInstances) {
      const before = await iptablesSave();
      const links = new Set((await exec('ip', ['-o', 'link', 'show'])).split('\n').map((l) => l.split(':')[1]?.trim().split('@')[0] ?? '').filter(Boolean));
      const plan = reconcilePlan({ net, instance, routerPort: options.routerPort, saved: parseSave(before), links, liveInstances: new Set([...liveInstances, instance]) });
      await iptablesRestore(plan.script);
      const c = bridgeChains(net.bridge);
      await ensureJump('iptables', 'INPUT', ['-i', net.bridge, '-j', c.input]);
      await ensureJump('iptables', 'FORWARD', ['-j', c.forward]);
      await ensureIpv6Drop(net.bridge);
      await refresh();
      return { removed: plan.removed };
    },
    openDyno,
    async openDynos(list) {
      if (list.length === 0) return [];
      try {
        await openIn(list);
        return list.map(() => null);
      } catch {
        // A chain gone under us (see openDyno) or one dyno's rules refused: each on its own.
        await refresh();
        const out: (Error | null)[] = [];
        for (const d of list) out.push(await openDyno(d).then(() => null, (err: unknown) => (err instanceof Error ? err : new Error(String(err)))));
        return out;
      }
    },
    async closeDyno(d) {
      const r = await execCapture('iptables-restore', [...WAIT, '--noflush'], { input: restoreScript(detachLinesOf(d)) });
      if (r.code !== 0) {
        // One of them is gone already (a reconcile, or a half-made start): delete each on its own.
        for (const l of detachLinesOf(d)) {
          const one = await execCapture('iptables-restore', [...WAIT, '--noflush'], { input: restoreScript([l]) });
          if (one.code !== 0 && !/does not exist|Bad rule|No chain|doesn't exist/i.test(one.stderr)) throw new Error(`iptables-restore: ${one.stderr.trim()}`);
        }
      }
      // The app chain goes with its last dyno.
      const left = await execCapture('iptables', [...WAIT, '-S', d.chain]);
      if (left.code === 0 && !/--physdev-out/.test(left.stdout)) {
        const del = await execCapture('iptables-restore', [...WAIT, '--noflush'], { input: restoreScript([`-F ${d.chain}`, `-X ${d.chain}`]) });
        if (del.code === 0) chains.delete(d.chain);
      }
    },
    async openBuild(d) {
      const fwd = bridgeChains(net.bridge).forward;
      const decl = chains.has(buildChain) ? [] : [`:${buildChain} - [0:0]`, ...chainTail(net, instance, blockForBuilds(options.outboundBlock), options.resolvers).map((r) => line('-A', buildChain, r))];
      await iptablesRestore(restoreScript([...decl, line('-I', fwd, jumpOf(d, buildChain), 2)]));
      chains.add(buildChain);
    },
    dropBuildChain,
    async closeBuild(d) {
      const r = await execCapture('iptables-restore', [...WAIT, '--noflush'], { input: restoreScript([line('-D', bridgeChains(net.bridge).forward, jumpOf(d, buildChain))]) });
      if (r.code !== 0 && !/does not exist|Bad rule|No chain|doesn't exist/i.test(r.stderr)) throw new Error(`iptables-restore: ${r.stderr.trim()}`);
    },
  };

  async function dropBuildChain(): Promise<void> {
    const r = await execCapture('iptables-restore', [...WAIT, '--noflush'], { input: restoreScript([`-F ${buildChain}`, `-X ${buildChain}`]) });
    // Still referenced (a step runs) or already gone: nothing to do.
    if (r.code === 0) chains.delete(buildChain);
  }

  function jumpOf(d: Omit<DynoRules, 'chain'>, chain: string): string[] {
    return dynoJump(net, instance, d.veth, d.ip, chain);
  }
  function detachLinesOf(d: DynoRules): string[] {
    return detachLines(net, instance, d);
  }
}

/** Builds reach package registries on the internet only: never link-local (metadata), whatever the setting. */
function blockForBuilds(block: OutboundBlock): OutboundBlock {
  return block === 'none' ? 'link-local' : block;
}
