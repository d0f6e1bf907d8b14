/**
 * The dynos' private network: a Linux bridge (default `slipway0`, 10.213.0.0/16) with the host at
 * the subnet's first address; per container a network namespace (`ip netns`) holding one end of a
 * veth pair (renamed eth0, its own IP, default route via the bridge), the other end on the bridge.
 *
 * Firewall (iptables, own chains so nothing else is touched):
 * - INPUT from the bridge: only replies and the router's public port (no API, no store, no other
 *   host service; the dyno's 127.0.0.1 is its own namespace's loopback).
 * - FORWARD: replies; a dyno's packets to another dyno go through its app's chain, which accepts
 *   only that app's dynos; everything else between dynos is dropped; outbound leaves via NAT.
 * - nat POSTROUTING: MASQUERADE for the subnet leaving through another interface.
 *
 * Commands are planned by pure functions (argument arrays) and applied by a thin layer.
 */
import { createHash } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CLAIMS_DIR } from './address-claims.js';
import { exec, execCapture } from './exec.js';

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
}

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

function hash8(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 8);
}

/** Interface names (at most 15 characters) derived from the container id. */
export function vethNames(containerId: string): { host: string; peer: string } {
  const h = hash8(containerId);
  return { host: `slw${h}`, peer: `slp${h}` };
}

export function chainNames(net: BridgeNetwork): { input: string; forward: string } {
  const h = hash8(net.bridge);
  return { input: `SLW-IN-${h}`, forward: `SLW-FWD-${h}` };
}

export function appChain(net: BridgeNetwork, appId: string): string {
  return `SLW-APP-${hash8(net.bridge, appId)}`;
}

/** A stable, locally administered unicast MAC for the bridge, from its name. */
export function bridgeMac(bridge: string): string {
  const h = createHash('sha256').update(`mac\0${bridge}`).digest();
  return ['02', ...[...h.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/** Static rules of the bridge's chains (appended at creation, in order). */
export function bridgeRules(net: BridgeNetwork): { input: string[][]; forward: string[][]; nat: string[] } {
  const br = net.bridge;
  const input: string[][] = [['-i', br, '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT']];
  if (net.routerPort !== null) input.push(['-i', br, '-p', 'tcp', '--dport', String(net.routerPort), '-j', 'ACCEPT']);
  input.push(['-i', br, '-j', 'DROP']);
  const forward = [
    ['-o', br, '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT'],
    // per-dyno jumps to app chains are inserted at position 2
    ['-i', br, '!', '-o', br, '-j', 'ACCEPT'],
    ['-i', br, '-o', br, '-j', 'DROP'],
    ['!', '-i', br, '-o', br, '-j', 'DROP'],
  ];
  const nat = ['-s', cidrString(net.subnet), '!', '-o', br, '-j', 'MASQUERADE'];
  return { input, forward, nat };
}

/**
 * `ip` invocations that plug a namespace into the bridge, as two `ip -batch` scripts (one spawn
 * each instead of one per step): `host` runs in the host namespace, `netns` inside `netns`.
 * `host` also forgets the host's neighbour (ARP) entry for `ip`: an address is reused by later
 * dynos, each behind a new veth with a new MAC, and a stale entry would send the first packets to
 * the old MAC (lost) for the seconds the kernel takes to re-check it.
 */
export function attachPlan(net: BridgeNetwork, containerId: string, netns: string, ip: string): { host: string[][]; netns: string[][] } {
  const v = vethNames(containerId);
  return {
    host: [
      ['link', 'add', v.host, 'type', 'veth', 'peer', 'name', v.peer, 'netns', netns],
      ['link', 'set', v.host, 'master', net.bridge, 'up'],
      ['neigh', 'flush', 'to', ip, 'dev', net.bridge],
    ],
    netns: [
      ['link', 'set', v.peer, 'name', 'eth0'],
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

async function ipt(args: string[], table = 'filter'): Promise<void> {
  await exec('iptables', [...IPT_WAIT, '-t', table, ...args]);
}

async function iptOk(args: string[], table = 'filter'): Promise<boolean> {
  return (await execCapture('iptables', [...IPT_WAIT, '-t', table, ...args], { timeoutMs: 30_000 })).code === 0;
}

async function ensureRule(chain: string, rule: string[], table = 'filter', insertAt?: number): Promise<void> {
  if (await iptOk(['-C', chain, ...rule], table)) return;
  if (insertAt !== undefined) await ipt(['-I', chain, String(insertAt), ...rule], table);
  else await ipt(['-A', chain, ...rule], table);
}

async function ensureChain(chain: string, table = 'filter'): Promise<boolean> {
  if (await iptOk(['-n', '-L', chain], table)) return false;
  const r = await execCapture('iptables', [...IPT_WAIT, '-t', table, '-N', chain], { timeoutMs: 30_000 });
  if (r.code === 0) return true;
  if (/already exists/i.test(r.stderr)) return false; // another manager made it meanwhile
  throw new Error(`iptables -N ${chain}: ${r.stderr.trim()}`);
}

/** Runs a check-then-change sequence of firewall commands under a network's lock. */
export type NetworkLock = <T>(fn: () => Promise<T>) => Promise<T>;

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

/** Creates the bridge, its address, forwarding, NAT and the firewall chains. Idempotent. */
export async function ensureBridge(net: BridgeNetwork): Promise<void> {
  const exists = (await execCapture('ip', ['link', 'show', 'dev', net.bridge])).code === 0;
  if (!exists) {
    // A fixed MAC: a bridge without one takes its lowest port's, so it would change as dynos come
    // and go (each change makes every dyno's ARP entry for the gateway stale, and flushes the host's).
    const r = await execCapture('ip', ['link', 'add', 'name', net.bridge, 'address', bridgeMac(net.bridge), 'type', 'bridge']);
    if (r.code !== 0 && !/File exists/.test(r.stderr)) throw new Error(`ip link add ${net.bridge}: ${r.stderr.trim()}`);
  }
  const addr = `${gatewayIp(net.subnet)}/${net.subnet.prefix}`;
  const show = await exec('ip', ['-4', 'addr', 'show', 'dev', net.bridge]);
  if (!show.includes(`inet ${addr}`)) {
    const r = await execCapture('ip', ['addr', 'add', addr, 'dev', net.bridge]);
    if (r.code !== 0 && !/File exists/.test(r.stderr)) throw new Error(`ip addr add ${addr}: ${r.stderr.trim()}`);
  }
  await exec('ip', ['link', 'set', net.bridge, 'up']);
  await writeSysctl('/proc/sys/net/ipv4/ip_forward', '1');
  await writeSysctl('/proc/sys/net/bridge/bridge-nf-call-iptables', '1');

  const chains = chainNames(net);
  const rules = bridgeRules(net);
  if (await ensureChain(chains.input)) for (const r of rules.input) await ipt(['-A', chains.input, ...r]);
  if (await ensureChain(chains.forward)) for (const r of rules.forward) await ipt(['-A', chains.forward, ...r]);
  await ensureRule('INPUT', ['-i', net.bridge, '-j', chains.input], 'filter', 1);
  await ensureRule('FORWARD', ['-j', chains.forward], 'filter', 1);
  await ensureRule('POSTROUTING', rules.nat, 'nat');
}

/** Removes the bridge and every rule and chain made for it (tests, uninstall). */
export async function removeBridge(net: BridgeNetwork): Promise<void> {
  const chains = chainNames(net);
  const rules = bridgeRules(net);
  await iptOk(['-D', 'INPUT', '-i', net.bridge, '-j', chains.input]);
  await iptOk(['-D', 'FORWARD', '-j', chains.forward]);
  await iptOk(['-D', 'POSTROUTING', ...rules.nat], 'nat');
  const fwd = await execCapture('iptables', [...IPT_WAIT, '-S', chains.forward]);
  const appChains = new Set([...fwd.stdout.matchAll(/-j (SLW-APP-[0-9a-f]{8})/g)].map((m) => m[1]));
  for (const c of [chains.input, chains.forward, ...appChains]) {
    await iptOk(['-F', c]);
    await iptOk(['-X', c]);
  }
  await execCapture('ip', ['link', 'del', net.bridge]);
  await rm(path.join(CLAIMS_DIR, net.bridge), { recursive: true, force: true });
}

export interface Attachment {
  netns: string;
  netnsPath: string;
  ip: string;
}

/**
 * Creates `netns`, plugs it into the bridge with `ip`, and opens its app's chain to it. Only the
 * iptables part runs under `lock`: the `ip` part touches this container's own namespace, veth and
 * address, so concurrent starts do it in parallel.
 */
export async function attachContainer(
  net: BridgeNetwork, opts: { containerId: string; netns: string; ip: string; appId: string }, lock: NetworkLock = unlocked,
): Promise<Attachment> {
  await exec('ip', ['netns', 'add', opts.netns]);
  try {
    const plan = attachPlan(net, opts.containerId, opts.netns, opts.ip);
    await ipBatch(plan.host);
    await ipBatch(plan.netns, opts.netns);
    await lock(async () => {
      const chain = appChain(net, opts.appId);
      await ensureChain(chain);
      await ensureRule(chain, ['-d', opts.ip, '-j', 'ACCEPT']);
      await ensureRule(chainNames(net).forward, ['-i', net.bridge, '-o', net.bridge, '-s', opts.ip, '-j', chain], 'filter', 2);
    });
  } catch (err) {
    await detachContainer(net, opts, lock);
    throw err;
  }
  return { netns: opts.netns, netnsPath: `/run/netns/${opts.netns}`, ip: opts.ip };
}

/** Undoes attachContainer; safe to call twice or on a half-made attachment. Only iptables runs under `lock`. */
export async function detachContainer(
  net: BridgeNetwork, opts: { containerId: string; netns: string; ip: string; appId: string }, lock: NetworkLock = unlocked,
): Promise<void> {
  await lock(async () => {
    const chain = appChain(net, opts.appId);
    await iptOk(['-D', chainNames(net).forward, '-i', net.bridge, '-o', net.bridge, '-s', opts.ip, '-j', chain]);
    await iptOk(['-D', chain, '-d', opts.ip, '-j', 'ACCEPT']);
    const left = await execCapture('iptables', [...IPT_WAIT, '-S', chain]);
    if (left.code === 0 && left.stdout.trim().split('\n').length <= 1) await iptOk(['-X', chain]);
  });
  await execCapture('ip', ['netns', 'del', opts.netns]);
  // `-force`: go on past a failed line (the veth is usually gone with the namespace already).
  await execCapture('ip', ['-force', '-batch', '-'], {
    input: `link del ${vethNames(opts.containerId).host}\nneigh flush to ${opts.ip} dev ${net.bridge}\n`,
  });
}
