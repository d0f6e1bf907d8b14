/**
 * Pure: the dynos' and builds' firewall as iptables-restore text (applied by firewall-apply.ts).
 *
 * Every packet from the bridge is matched by the bridge port it came in on (`-m physdev`, a veth
 * named from the container id, never reused) as well as by its source address, so a rule left
 * behind by a killed platform cannot match a later dyno that got the same address. Chains:
 *
 * - `SLW-IN-<bridge>` (INPUT from the bridge): replies; nothing from a build (`slb*` ports); the
 *   router port of every running platform on this bridge (one rule per instance, tagged); DROP.
 * - `SLW-FWD-<bridge>` (FORWARD): replies to the bridge; per dyno a jump, matched on its veth and
 *   address, to its app's chain; per build a jump to its instance's build chain; then DROP both
 *   ways (a packet from an unknown port or address goes nowhere).
 * - `SLW-APP-<bridge,instance,app>`: the app's own dynos (by veth and address) ACCEPT; any other
 *   dyno DROP; the operator's outbound block list DROP; the rest of the world ACCEPT (NAT); DROP.
 * - `SLW-BLD-<bridge,instance>`: builds reach no dyno, nothing blocked, the world; DROP.
 * - ip6tables `SLW6-<bridge>`: every IPv6 packet from or to the bridge is dropped (dynos and
 *   builds get no IPv6 addresses: only Slipway would manage them, and it manages none).
 *
 * Rules made for a platform carry `-m comment --comment slw:<instance>` (and `slw:<instance>:router`
 * for the router-port rule), so the rules of a killed platform can be found without its data dir.
 */
import { createHash } from 'node:crypto';

export const CHAIN_PREFIX = 'SLW-';

/** A network as the firewall sees it. */
export interface FirewallNet {
  bridge: string;
  /** The dyno subnet, e.g. 10.213.0.0/16. */
  cidr: string;
}

/** Which outbound destinations dynos and builds may not reach (besides other dynos and the host). */
export type OutboundBlock = 'none' | 'link-local' | 'private';

/** Link-local (cloud metadata at 169.254.169.254). */
export const LINK_LOCAL_V4 = ['169.254.0.0/16'];
/** RFC 1918, carrier-grade NAT, "this network", benchmarking and multicast/reserved. */
export const PRIVATE_V4 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '0.0.0.0/8', '198.18.0.0/15', '224.0.0.0/3'];

export function blockedRanges(block: OutboundBlock): string[] {
  if (block === 'none') return [];
  if (block === 'link-local') return [...LINK_LOCAL_V4];
  return [...LINK_LOCAL_V4, ...PRIVATE_V4];
}

export function hash8(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 8);
}

export function bridgeChains(bridge: string): { input: string; forward: string; ip6: string } {
  const h = hash8(bridge);
  return { input: `SLW-IN-${h}`, forward: `SLW-FWD-${h}`, ip6: `SLW6-${h}` };
}

export function appChainName(bridge: string, instance: string, appId: string): string {
  return `SLW-APP-${hash8(bridge, instance, appId)}`;
}

export function buildChainName(bridge: string, instance: string): string {
  return `SLW-BLD-${hash8(bridge, instance)}`;
}

export const tag = (instance: string) => `slw:${instance}`;
export const routerTag = (instance: string) => `slw:${instance}:router`;
const comment = (c: string) => ['-m', 'comment', '--comment', c];

/** Interface-name prefixes of dyno and build veths (host side). */
export const DYNO_VETH_PREFIX = 'slw';
export const BUILD_VETH_PREFIX = 'slb';

/** One rule as iptables-restore words (after `-A <chain>`). */
export type Rule = string[];

/** The bridge chains' fixed rules around the per-dyno ones. */
export function bridgeStatic(net: FirewallNet): { inputHead: Rule[]; inputTail: Rule[]; forwardHead: Rule[]; forwardTail: Rule[] } {
  const br = net.bridge;
  return {
    inputHead: [
      ['-i', br, '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT'],
      ['-i', br, '-m', 'physdev', '--physdev-in', `${BUILD_VETH_PREFIX}+`, '-j', 'DROP'],
    ],
    inputTail: [['-i', br, '-j', 'DROP']],
    forwardHead: [['-o', br, '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT']],
    forwardTail: [['-i', br, '-j', 'DROP'], ['-o', br, '-j', 'DROP']],
  };
}

export function routerRule(net: FirewallNet, instance: string, port: number): Rule {
  return ['-i', net.bridge, '-p', 'tcp', '--dport', String(port), ...comment(routerTag(instance)), '-j', 'ACCEPT'];
}

/** The jump of one dyno's packets (its veth and address) to its app's chain. */
export function dynoJump(net: FirewallNet, instance: string, veth: string, ip: string, chain: string): Rule {
  return ['-i', net.bridge, '-s', `${ip}/32`, '-m', 'physdev', '--physdev-in', veth, ...comment(tag(instance)), '-j', chain];
}

/**
 * In the bridge's input chain: this dyno (its veth and address) may open a TCP connection to an
 * add-on server's port on the host (the add-ons its app is attached to). Removed with the dyno, and
 * by reconcile once its veth is gone.
 */
export function addonAccept(net: FirewallNet, instance: string, veth: string, ip: string, port: number): Rule {
  return ['-i', net.bridge, '-s', `${ip}/32`, '-m', 'physdev', '--physdev-in', veth, '-p', 'tcp', '--dport', String(port), ...comment(tag(instance)), '-j', 'ACCEPT'];
}

/** In the app chain: packets to this dyno (its veth and address) are accepted. */
export function dynoAccept(net: FirewallNet, instance: string, veth: string, ip: string): Rule {
  return ['-d', `${ip}/32`, '-o', net.bridge, '-m', 'physdev', '--physdev-out', veth, ...comment(tag(instance)), '-j', 'ACCEPT'];
}

/**
 * The app chain's rules after its dynos' accepts: other dynos, blocked ranges, the world, DROP.
 * `resolvers` (the DNS servers dynos are given) stay reachable on port 53 whatever is blocked: a
 * resolver on a private address is common (cloud VPCs).
 */
export function chainTail(net: FirewallNet, instance: string, block: OutboundBlock, resolvers: readonly string[] = []): Rule[] {
  const t = comment(tag(instance));
  const v4 = resolvers.filter((r) => /^\d+\.\d+\.\d+\.\d+$/.test(r));
  const dns = block === 'none' ? [] : v4.flatMap((r) => ['udp', 'tcp'].map((p) => ['-d', `${r}/32`, '-p', p, '--dport', '53', ...t, '-j', 'ACCEPT']));
  return [
    ['-o', net.bridge, ...t, '-j', 'DROP'],
    ...dns,
    ...blockedRanges(block).map((r) => ['-d', r, ...t, '-j', 'DROP']),
    ['!', '-o', net.bridge, ...t, '-j', 'ACCEPT'],
    [...t, '-j', 'DROP'],
  ];
}

/** A restore script for the filter table (`--noflush`): lines like `-A CHAIN …`, `:CHAIN - [0:0]`, `-F CHAIN`. */
export function restoreScript(lines: string[]): string {
  return `*filter\n${lines.join('\n')}\nCOMMIT\n`;
}

/** Quotes a word for iptables-restore when needed (comments are made here: no quotes inside). */
export function word(w: string): string {
  return /^[A-Za-z0-9_.:/+!,=-]+$/.test(w) ? w : `"${w.replace(/"/g, '')}"`;
}

export function line(op: '-A' | '-D' | '-I', chain: string, rule: Rule, at?: number): string {
  return [op, chain, ...(at === undefined ? [] : [String(at)]), ...rule.map(word)].join(' ');
}

/** A new app chain with its first dyno (declared: iptables-restore creates it). */
export function newAppChainLines(net: FirewallNet, instance: string, chain: string, block: OutboundBlock, resolvers: readonly string[] = []): string[] {
  return [`:${chain} - [0:0]`, ...chainTail(net, instance, block, resolvers).map((r) => line('-A', chain, r))];
}

/** Lines that open `chain` to a dyno and route its packets through it (jump inserted after the replies rule). */
export function attachLines(net: FirewallNet, instance: string, d: { veth: string; ip: string; chain: string; ports?: readonly number[] }): string[] {
  const input = bridgeChains(net.bridge).input;
  return [
    line('-I', d.chain, dynoAccept(net, instance, d.veth, d.ip), 1),
    line('-I', bridgeChains(net.bridge).forward, dynoJump(net, instance, d.veth, d.ip, d.chain), 2),
    // after the input chain's head (replies, builds dropped), before its DROP
    ...(d.ports ?? []).map((port) => line('-I', input, addonAccept(net, instance, d.veth, d.ip, port), 3)),
  ];
}

export function detachLines(net: FirewallNet, instance: string, d: { veth: string; ip: string; chain: string; ports?: readonly number[] }): string[] {
  const input = bridgeChains(net.bridge).input;
  return [
    ...(d.ports ?? []).map((port) => line('-D', input, addonAccept(net, instance, d.veth, d.ip, port))),
    line('-D', bridgeChains(net.bridge).forward, dynoJump(net, instance, d.veth, d.ip, d.chain)),
    line('-D', d.chain, dynoAccept(net, instance, d.veth, d.ip)),
  ];
}

/** One `-A` line of `iptables-save`, parsed. */
export interface SavedRule {
  chain: string;
  /** The line as saved, after `-A <chain> ` (restore syntax). */
  spec: string;
  tagInstance: string | null;
  router: boolean;
  physdevIn: string | null;
  physdevOut: string | null;
  jump: string | null;
}

export interface SavedTable {
  chains: Set<string>;
  rules: SavedRule[];
}

export function parseSave(text: string): SavedTable {
  const chains = new Set<string>();
  const rules: SavedRule[] = [];
  for (const raw of text.split('\n')) {
    const l = raw.trim();
    const c = /^:(\S+) /.exec(l);
    if (c) {
      chains.add(c[1]);
      continue;
    }
    const a = /^-A (\S+) (.*)$/.exec(l);
    if (!a) continue;
    const spec = a[2];
    const t = /--comment "?slw:([0-9a-f]+)(:router)?"?/.exec(spec);
    rules.push({
      chain: a[1], spec,
      tagInstance: t ? t[1] : null,
      router: Boolean(t?.[2]),
      physdevIn: /--physdev-in (\S+)/.exec(spec)?.[1] ?? null,
      physdevOut: /--physdev-out (\S+)/.exec(spec)?.[1] ?? null,
      jump: /-j (\S+)/.exec(spec)?.[1] ?? null,
    });
  }
  return { chains, rules };
}

export interface ReconcileInput {
  net: FirewallNet;
  instance: string;
  routerPort: number | null;
  saved: SavedTable;
  /** Interfaces that exist on the host now. */
  links: Set<string>;
  /** Platform instances whose process is alive (this one included). */
  liveInstances: Set<string>;
}

/**
 * The restore script that brings this bridge's chains to their correct state: the bridge chains
 * rebuilt (fixed rules, then every dyno/build jump whose veth still exists, router rules of live
 * instances), dead veths' accepts removed from app chains, app and build chains nobody jumps to
 * any more (or of dead instances) flushed and deleted. Pure.
 */
export function reconcilePlan(input: ReconcileInput): { script: string; removed: number } {
  const { net, saved, links } = input;
  const chains = bridgeChains(net.bridge);
  const st = bridgeStatic(net);
  const live = (r: SavedRule) => r.physdevIn !== null && !r.physdevIn.endsWith('+') && links.has(r.physdevIn);
  const out: string[] = [];
  let removed = 0;

  // FORWARD: jumps whose veth exists, in their order.
  const fwd = saved.rules.filter((r) => r.chain === chains.forward);
  const keptJumps = fwd.filter((r) => r.jump?.startsWith(CHAIN_PREFIX) && live(r) && r.tagInstance !== null);
  const wantFwd = [...st.forwardHead.map((r) => line('-A', chains.forward, r)), ...keptJumps.map((r) => `-A ${chains.forward} ${r.spec}`), ...st.forwardTail.map((r) => line('-A', chains.forward, r))];
  removed += fwd.filter((r) => r.tagInstance !== null && !keptJumps.includes(r)).length;

  // INPUT: router rules of live instances (ours made fresh when we know our port), one per instance.
  const inp = saved.rules.filter((r) => r.chain === chains.input);
  const routers = new Map<string, string>();
  for (const r of inp) if (r.router && r.tagInstance && input.liveInstances.has(r.tagInstance)) routers.set(r.tagInstance, `-A ${chains.input} ${r.spec}`);
  if (input.routerPort !== null) routers.set(input.instance, line('-A', chains.input, routerRule(net, input.instance, input.routerPort)));
  // INPUT: add-on accepts of dynos whose veth still exists (of live instances).
  const addonAccepts = inp.filter((r) => !r.router && r.tagInstance !== null && input.liveInstances.has(r.tagInstance) && r.jump === 'ACCEPT' && live(r));
  const wantIn = [
    ...st.inputHead.map((r) => line('-A', chains.input, r)), ...addonAccepts.map((r) => `-A ${chains.input} ${r.spec}`),
    ...routers.values(), ...st.inputTail.map((r) => line('-A', chains.input, r)),
  ];
  removed += inp.filter((r) => r.router && !routers.has(r.tagInstance ?? '')).length;
  removed += inp.filter((r) => !r.router && r.tagInstance !== null && !addonAccepts.includes(r)).length;

  // Both bridge chains are rewritten whole, in one atomic restore (iptables-save reorders a
  // rule's words, so rewriting is simpler and as cheap as comparing).
  out.push(saved.chains.has(chains.forward) ? `-F ${chains.forward}` : `:${chains.forward} - [0:0]`, ...wantFwd);
  out.push(saved.chains.has(chains.input) ? `-F ${chains.input}` : `:${chains.input} - [0:0]`, ...wantIn);

  // App and build chains: keep those still jumped to; in them, drop accepts of veths that are gone.
  const targets = new Set(keptJumps.map((r) => r.jump as string));
  // Only this bridge's chains: jumped to from its FORWARD chain, or naming it (other bridges' are
  // other platforms' business, whatever state they are in).
  const jumpedFromHere = new Set(fwd.map((r) => r.jump).filter((j): j is string => j !== null));
  const namesBridge = (r: SavedRule) => new RegExp(`(^| )-o ${escapeRe(net.bridge)}( |$)`).test(r.spec);
  for (const chain of saved.chains) {
    if (!chain.startsWith('SLW-APP-') && !chain.startsWith('SLW-BLD-')) continue;
    const rules = saved.rules.filter((r) => r.chain === chain);
    if (!jumpedFromHere.has(chain) && !rules.some(namesBridge)) continue;
    const owner = rules.find((r) => r.tagInstance !== null)?.tagInstance ?? null;
    const ownerLive = owner !== null && input.liveInstances.has(owner);
    if (!targets.has(chain) && !(chain.startsWith('SLW-BLD-') && ownerLive)) {
      out.push(`-F ${chain}`, `-X ${chain}`);
      removed += rules.length;
      continue;
    }
    for (const r of rules) {
      if (r.physdevOut !== null && !links.has(r.physdevOut)) {
        out.push(`-D ${chain} ${r.spec}`);
        removed++;
      }
    }
  }
  return { script: restoreScript(out), removed };
}

function escapeRe(x: string): string {
  return x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
