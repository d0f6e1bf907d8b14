/**
 * The dynos' private network: a Linux bridge (default `slipway0`, 10.213.0.0/16) with the host at
 * the subnet's first address; per container a network namespace (`ip netns`) holding one end of a
 * veth pair (renamed eth0, its own IP, default route via the bridge, no IPv6 address), the other end
 * on the bridge. Builds get the same kind of namespace (`slb*` veths) with their own firewall chain.
 * The firewall (which dyno may talk to which, what the host and the world answer) is firewall.ts;
 * commands are planned by pure functions (argument arrays) and applied by a thin layer.
 */
import { createHash } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CLAIMS_DIR } from './address-claims.js';
import { createBatcher, type Lock } from './batch.js';
import { exec, execCapture } from './exec.js';
import { disableIpv6On, type DynoRules, type Firewall } from './firewall-apply.js';
import { appChainName, bridgeChains, BUILD_VETH_PREFIX, DYNO_VETH_PREFIX, hash8, parseSave, restoreScript, type OutboundBlock } from './firewall.js';
import { liveInstances } from './instance.js';

export interface Subnet {
  /** Network address as a 32-bit number. */
  base: number;
  prefix: number;
}

export interface BridgeNetwork {
  bridge: string;
  subnet: Subnet;
  /** TCP port dynos may reach on the host (the router's public port); null = none. */
  routerPort: number | null;
  /** The platform instance (instance.ts) whose rules these are; default `00000000`. */
  instance?: string;
  /** What dynos may not reach outside (default: link-local, i.e. cloud metadata). */
  outboundBlock?: OutboundBlock;
}

export const DEFAULT_INSTANCE = '00000000';

export function parseCidr(cidr: string): Subnet {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr.trim());
  if (!m) throw new Error(`expected an IPv4 CIDR like 10.213.0.0/16, got "${cidr}"`);
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix < 8 || prefix > 29) throw new Error(`invalid or unsupported CIDR "${cidr}" (prefix 8..29)`);
  const ip = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { base: (ip & mask) >>> 0, prefix };
}

export function ipToString(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function cidrString(s: Subnet): string {
  return `${ipToString(s.base)}/${s.prefix}`;
}

/** The host's address on the bridge (the dynos' gateway): the first address. */
export function gatewayIp(s: Subnet): string {
  return ipToString(s.base + 1);
}

/** Addresses dynos may get, in order: from .2 up to the last before broadcast. */
export function dynoIpRange(s: Subnet): { first: number; last: number } {
  const size = 2 ** (32 - s.prefix);
  return { first: s.base + 2, last: s.base + size - 2 };
}

export type AttachKind = 'dyno' | 'build';

/** Interface names (at most 15 characters) derived from the container id; builds' host ends start with `slb`. */
export function vethNames(containerId: string, kind: AttachKind = 'dyno'): { host: string; peer: string } {
  const h = hash8(containerId);
  return { host: `${kind === 'build' ? BUILD_VETH_PREFIX : DYNO_VETH_PREFIX}${h}`, peer: `slp${h}` };
}

export function chainNames(net: BridgeNetwork): { input: string; forward: string } {
  const c = bridgeChains(net.bridge);
  return { input: c.input, forward: c.forward };
}

export function appChain(net: BridgeNetwork, appId: string): string {
  return appChainName(net.bridge, net.instance ?? DEFAULT_INSTANCE, appId);
}

/** A stable, locally administered unicast MAC for the bridge, from its name. */
export function bridgeMac(bridge: string): string {
  const h = createHash('sha256').update(`mac\0${bridge}`).digest();
  return ['02', ...[...h.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

export function natRule(net: BridgeNetwork): string[] {
  return ['-s', cidrString(net.subnet), '!', '-o', net.bridge, '-j', 'MASQUERADE'];
}

/**
 * `ip` invocations that plug a namespace into the bridge, as two `ip -batch` scripts (one spawn
 * each instead of one per step): `host` runs in the host namespace, `netns` inside `netns`.
 * `host` also forgets the host's neighbour (ARP) entry for `ip`: an address is reused by later
 * dynos, each behind a new veth with a new MAC, and a stale entry would send the first packets to
 * the old MAC (lost) for the seconds the kernel takes to re-check it. Neither end gets an IPv6
 * address (`addrgenmode none` before it goes up: no automatic `fe80::`).
 */
export function attachPlan(net: BridgeNetwork, containerId: string, netns: string, ip: string, kind: AttachKind = 'dyno'): { host: string[][]; netns: string[][] } {
  const v = vethNames(containerId, kind);
  return {
    host: [
      ['link', 'add', v.host, 'type', 'veth', 'peer', 'name', v.peer, 'netns', netns],
      ['link', 'set', v.host, 'addrgenmode', 'none'],
      ['link', 'set', v.host, 'master', net.bridge, 'up'],
      ['neigh', 'flush', 'to', ip, 'dev', net.bridge],
    ],
    netns: [
      ['link', 'set', v.peer, 'name', 'eth0'],
      ['link', 'set', 'eth0', 'addrgenmode', 'none'],
      ['addr', 'add', `${ip}/${net.subnet.prefix}`, 'dev', 'eth0'],
      ['link', 'set', 'eth0', 'up'],
      ['link', 'set', 'lo', 'up'],
      ['route', 'add', 'default', 'via', gatewayIp(net.subnet)],
    ],
  };
}

/** Runs `ip` commands in one process (`ip -batch -`, stopping at the first failure); `netns` runs them inside it. */
async function ipBatch(commands: string[][], netns?: string): Promise<void> {
  for (const c of commands) {
    // Batch lines are split on blanks: arguments are names, addresses and keywords made here.
    if (c.some((a) => a === '' || /\s/.test(a))) throw new Error(`ip batch argument with blanks: ${JSON.stringify(c)}`);
  }
  await exec('ip', [...(netns ? ['-n', netns] : []), '-batch', '-'], { input: commands.map((c) => c.join(' ')).join('\n') + '\n' });
}

const IPT_WAIT = ['-w', '10'];

async function iptOk(args: string[], table = 'filter', cmd = 'iptables'): Promise<boolean> {
  return (await execCapture(cmd, [...IPT_WAIT, '-t', table, ...args], { timeoutMs: 30_000 })).code === 0;
}

/** Runs a check-then-change sequence of firewall commands under a network's lock. */
export type NetworkLock = Lock;

/** Opens the firewall to one dyno (createDynoOpener). */
export type DynoOpener = (d: DynoRules) => Promise<void>;

/**
 * The dynos whose rules are asked for while the lock is busy are opened together, in one
 * iptables-restore (batch.ts): a `ps:scale web=10` does not queue ten restores one after the other.
 */
export function createDynoOpener(fw: Firewall, lock: NetworkLock): DynoOpener {
  return createBatcher((list: DynoRules[]) => fw.openDynos(list), lock);
}

const unlocked: NetworkLock = (fn) => fn();

/**
 * Runs firewall changes one at a time (check-then-change sequences on iptables chains must not
 * interleave: two dynos of one app starting while a third ends). One lock per network.
 */
export function createNetworkLock(): NetworkLock {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

async function writeSysctl(file: string, value: string): Promise<void> {
  try {
    await writeFile(file, value);
  } catch {
    // not available here (e.g. no br_netfilter): isolation between dynos then relies on the rest
  }
}

/**
 * Creates the bridge, its address, forwarding and NAT; with `fw`, reconciles the firewall chains
 * (firewall.ts: stale rules of gone veths and dead platforms removed). Idempotent.
 */
export async function ensureBridge(net: BridgeNetwork, fw?: Firewall): Promise<{ removed: number }> {
  const exists = (await execCapture('ip', ['link', 'show', 'dev', net.bridge])).code === 0;
  if (!exists) {
    // A fixed MAC: a bridge without one takes its lowest port's, so it would change as dynos come
    // and go (each change makes every dyno's ARP entry for the gateway stale, and flushes the host's).
    const r = await execCapture('ip', ['link', 'add', 'name', net.bridge, 'address', bridgeMac(net.bridge), 'type', 'bridge']);
    if (r.code !== 0 && !/File exists/.test(r.stderr)) throw new Error(`ip link add ${net.bridge}: ${r.stderr.trim()}`);
  }
  // No IPv6 on the bridge: the host has no address there a dyno could reach over IPv6.
  await disableIpv6On(net.bridge);
  const addr = `${gatewayIp(net.subnet)}/${net.subnet.prefix}`;
  const show = await exec('ip', ['-4', 'addr', 'show', 'dev', net.bridge]);
  if (!show.includes(`inet ${addr}`)) {
    const r = await execCapture('ip', ['addr', 'add', addr, 'dev', net.bridge]);
    if (r.code !== 0 && !/File exists/.test(r.stderr)) throw new Error(`ip addr add ${addr}: ${r.stderr.trim()}`);
  }
  await exec('ip', ['link', 'set', net.bridge, 'up']);
  await writeSysctl('/proc/sys/net/ipv4/ip_forward', '1');
  await writeSysctl('/proc/sys/net/bridge/bridge-nf-call-iptables', '1');
  if (!(await iptOk(['-C', 'POSTROUTING', ...natRule(net)], 'nat'))) await exec('iptables', [...IPT_WAIT, '-t', 'nat', '-A', 'POSTROUTING', ...natRule(net)]);
  if (!fw) return { removed: 0 };
  return fw.reconcile(await liveInstances());
}

/** Removes the bridge and every rule and chain made for it, whatever instance made them (tests, uninstall). */
export async function removeBridge(net: BridgeNetwork): Promise<void> {
  const chains = bridgeChains(net.bridge);
  await iptOk(['-D', 'INPUT', '-i', net.bridge, '-j', chains.input]);
  await iptOk(['-D', 'FORWARD', '-j', chains.forward]);
  await iptOk(['-D', 'POSTROUTING', ...natRule(net)], 'nat');
  for (const rule of [['INPUT', '-i'], ['FORWARD', '-i'], ['FORWARD', '-o']]) await iptOk(['-D', rule[0], rule[1], net.bridge, '-j', chains.ip6], 'filter', 'ip6tables');
  await iptOk(['-F', chains.ip6], 'filter', 'ip6tables');
  await iptOk(['-X', chains.ip6], 'filter', 'ip6tables');
  const saved = parseSave((await execCapture('iptables-save', ['-t', 'filter'])).stdout);
  const targets = new Set(saved.rules.filter((r) => r.chain === chains.forward && r.jump?.startsWith('SLW-')).map((r) => r.jump as string));
  // App and build chains with no jump left still name the bridge in their rules.
  for (const r of saved.rules) if (/^SLW-(APP|BLD)-/.test(r.chain) && r.spec.split(' ').some((w, i, all) => w === net.bridge && all[i - 1] === '-o')) targets.add(r.chain);
  const lines: string[] = [];
  for (const c of [chains.input, chains.forward]) if (saved.chains.has(c)) lines.push(`-F ${c}`);
  for (const c of targets) if (saved.chains.has(c)) lines.push(`-F ${c}`);
  for (const c of [chains.input, chains.forward, ...targets]) if (saved.chains.has(c)) lines.push(`-X ${c}`);
  if (lines.length > 0) await exec('iptables-restore', [...IPT_WAIT, '--noflush'], { input: restoreScript(lines) });
  await execCapture('ip', ['link', 'del', net.bridge]);
  await rm(path.join(CLAIMS_DIR, net.bridge), { recursive: true, force: true });
}

export interface Attachment {
  netns: string;
  netnsPath: string;
  ip: string;
}

export interface AttachOptions {
  containerId: string;
  netns: string;
  ip: string;
  /** The dyno's app (its firewall chain); unused for builds. */
  appId: string;
  kind?: AttachKind;
  /** Host ports of the add-on servers the dyno's app is attached to (dynos only). */
  addonPorts?: readonly number[];
}

/**
 * Creates `netns`, plugs it into the bridge with `ip`, and opens the firewall to it (a dyno: its
 * app's chain; a build: its instance's build chain). Only the iptables part runs under `lock`: the
 * `ip` part touches this container's own namespace, veth and address, so concurrent starts do it
 * in parallel.
 */
export async function attachContainer(net: BridgeNetwork, opts: AttachOptions, fw: Firewall, lock: NetworkLock = unlocked, opener?: DynoOpener): Promise<Attachment> {
  await plugNamespace(net, opts);
  try {
    await openFirewall(net, opts, fw, lock, opener);
  } catch (err) {
    await detachContainer(net, opts, fw, lock).catch(() => undefined);
    throw err;
  }
  return { netns: opts.netns, netnsPath: `/run/netns/${opts.netns}`, ip: opts.ip };
}

/**
 * The `ip` half of attachContainer: `netns` made and plugged into the bridge with `ip` as its
 * address, no firewall rule yet (nothing from or to its veth is accepted: the bridge chains end in
 * DROP). A warm namespace waits like this for the dyno that takes it (runc-driver-warm-netns.ts).
 * On failure, what it made is removed.
 */
export async function plugNamespace(net: BridgeNetwork, opts: Omit<AttachOptions, 'appId'>): Promise<void> {
  await exec('ip', ['netns', 'add', opts.netns]);
  try {
    const plan = attachPlan(net, opts.containerId, opts.netns, opts.ip, opts.kind);
    await ipBatch(plan.host);
    await ipBatch(plan.netns, opts.netns);
  } catch (err) {
    await unplugNamespace(net, opts).catch(() => undefined);
    throw err;
  }
}

/**
 * The firewall half of attachContainer: a dyno's rules in its app's chain, a build's in the build
 * chain. A dyno's go through `opener` when given (batched with other starts, under the same lock).
 */
export async function openFirewall(net: BridgeNetwork, opts: AttachOptions, fw: Firewall, lock: NetworkLock = unlocked, opener?: DynoOpener): Promise<void> {
  const veth = vethNames(opts.containerId, opts.kind).host;
  if (opener && opts.kind !== 'build') return opener({ veth, ip: opts.ip, chain: appChain(net, opts.appId), ports: opts.addonPorts });
  await lock(() => (opts.kind === 'build' ? fw.openBuild({ veth, ip: opts.ip }) : fw.openDyno({ veth, ip: opts.ip, chain: appChain(net, opts.appId), ports: opts.addonPorts })));
}

/** Undoes plugNamespace (the namespace, its veth and the host's neighbour entry); safe to call twice. */
export async function unplugNamespace(net: BridgeNetwork, opts: Omit<AttachOptions, 'appId'>): Promise<void> {
  const veth = vethNames(opts.containerId, opts.kind).host;
  await execCapture('ip', ['netns', 'del', opts.netns]);
  // `-force`: go on past a failed line (the veth is usually gone with the namespace already).
  await execCapture('ip', ['-force', '-batch', '-'], { input: `link del ${veth}\nneigh flush to ${opts.ip} dev ${net.bridge}\n` });
}

/**
 * Undoes attachContainer; safe to call twice or on a half-made attachment. Only iptables runs
 * under `lock`. A firewall failure is thrown after the namespace and veth are gone.
 */
export async function detachContainer(net: BridgeNetwork, opts: AttachOptions, fw: Firewall, lock: NetworkLock = unlocked): Promise<void> {
  const veth = vethNames(opts.containerId, opts.kind).host;
  const fwDone = lock(() => (opts.kind === 'build' ? fw.closeBuild({ veth, ip: opts.ip }) : fw.closeDyno({ veth, ip: opts.ip, chain: appChain(net, opts.appId), ports: opts.addonPorts })))
    .then(() => undefined, (err: unknown) => err);
  const fwErr = await fwDone;
  await unplugNamespace(net, opts);
  if (fwErr !== undefined) throw fwErr;
}
