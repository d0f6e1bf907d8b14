/**
 * A Docker Swarm cluster on one machine for tests: N `dockerd` daemons (1–3), each in a network
 * namespace this helper makes, with its own --data-root, --exec-root, socket, pidfile, containerd
 * namespace and cgroup parent, joined by veths to a test bridge on the host (host side = `.1`, the
 * address the nodes reach the control plane and its registry on). Node 1 runs `swarm init` (with a
 * short dispatcher heartbeat, so a lost node is noticed in seconds), the others join it. Every node
 * trusts plain-HTTP registries on the test subnet (`--insecure-registry <subnet>`).
 *
 * dockerd is started with `nsenter --net=<netns>` (not `ip netns exec`, which remounts /sys and hides
 * the cgroup mounts). `killNode(i)` SIGKILLs everything of that node (dockerd, containerd, shims: the
 * processes in its netns; its containers: the processes in its cgroup parent). `stop()` kills every
 * node and removes what they left: mounts under the node dirs, cgroup dirs, netns, veths, bridge.
 *
 * Also a CLI for people: `node dist/test/helpers/swarm-cluster-cli.js up|down [name] [nodes]`.
 */
import { spawn, execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, readFile, readdir, readlink, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SwarmNode {
  name: string;
  /** The node's address on the test bridge (its swarm advertise address). */
  address: string;
  netnsPath: string;
  /** `unix://…/docker.sock` of this node's dockerd. */
  dockerHost: string;
}

export interface SwarmClusterState {
  name: string;
  /** The cluster's directory (node dirs, logs, state.json). */
  dir: string;
  bridge: string;
  /** e.g. `10.79.42.0/24` */
  subnet: string;
  /** Host side of the test bridge: the control plane's address as the nodes reach it. */
  advertiseAddr: string;
  nodes: Array<SwarmNode & { netns: string; hostVeth: string; dir: string; cgroupParent: string }>;
}

export interface SwarmCluster extends SwarmClusterState {
  /** The manager's (node 1's) `unix://` DOCKER_HOST. */
  dockerHost: string;
  /** Registries on the test subnet are trusted over plain HTTP by every node. */
  insecureRegistries: string;
  /** Run the docker CLI against node i (0 = manager). */
  docker(i: number, args: string[]): Promise<string>;
  /** SIGKILL every process of node i (dockerd, containerd, shims, containers). */
  killNode(i: number): Promise<void>;
  /** Kill every node and remove everything the cluster made. Idempotent. */
  stop(): Promise<void>;
}

export interface StartSwarmClusterOptions {
  nodes: 1 | 2 | 3;
  /** Short name (letters/digits); bridge, netns and veth names derive from it. Default `swc`. */
  name?: string;
  /** A /24 for the test bridge; default derived from the name (10.79.x.0/24). */
  subnet?: string;
  /** Swarm dispatcher heartbeat; a node is marked down after a few missed beats. Default `1s`. */
  heartbeat?: string;
  /** Where node dirs go (default: a dir under os.tmpdir()). */
  baseDir?: string;
}

/** Why the cluster cannot run here, or null. */
export function swarmClusterUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not root';
  for (const bin of ['/usr/sbin/dockerd', '/usr/bin/nsenter']) if (!existsSync(bin)) return `${bin} not installed`;
  return null;
}

function dockerBin(): string {
  return existsSync('/usr/local/bin/docker') ? '/usr/local/bin/docker' : '/usr/bin/docker';
}

export async function dockerAt(host: string, args: string[], timeoutMs = 60_000): Promise<string> {
  const { stdout } = await run(dockerBin(), ['-H', host, ...args], { timeout: timeoutMs, maxBuffer: 16 << 20 });
  return stdout.trim();
}

function defaultSubnet(name: string): string {
  const h = createHash('sha256').update(name).digest();
  return `10.79.${(h[0]! % 250) + 2}.0/24`;
}

function layout(opts: StartSwarmClusterOptions, dir: string): SwarmClusterState {
  const name = (opts.name ?? 'swc').replace(/[^a-z0-9]/gi, '').slice(0, 8) || 'swc';
  const subnet = opts.subnet ?? defaultSubnet(name);
  const prefix = subnet.split('.').slice(0, 3).join('.');
  const nodes = Array.from({ length: opts.nodes }, (_, i) => {
    const nodeDir = path.join(dir, `node${i + 1}`);
    return {
      name: `${name}-node${i + 1}`,
      address: `${prefix}.${i + 2}`,
      netns: `${name}n${i + 1}`,
      netnsPath: `/run/netns/${name}n${i + 1}`,
      dockerHost: `unix://${nodeDir}/docker.sock`,
      hostVeth: `${name}v${i + 1}`,
      dir: nodeDir,
      cgroupParent: `${name}-node${i + 1}`,
    };
  });
  return { name, dir, bridge: `${name}br`, subnet, advertiseAddr: `${prefix}.1`, nodes };
}

async function ip(args: string[]): Promise<void> {
  await run('ip', args);
}

async function makeNetwork(s: SwarmClusterState): Promise<void> {
  await ip(['link', 'add', s.bridge, 'type', 'bridge']);
  await ip(['addr', 'add', `${s.advertiseAddr}/24`, 'dev', s.bridge]);
  await ip(['link', 'set', s.bridge, 'up']);
  for (const n of s.nodes) {
    await ip(['netns', 'add', n.netns]);
    const peer = `${s.name}p${n.name.slice(-1)}`;
    await ip(['link', 'add', n.hostVeth, 'type', 'veth', 'peer', 'name', peer]);
    await ip(['link', 'set', n.hostVeth, 'master', s.bridge, 'up']);
    await ip(['link', 'set', peer, 'netns', n.netns]);
    await ip(['-n', n.netns, 'link', 'set', peer, 'name', 'eth0']);
    await ip(['-n', n.netns, 'addr', 'add', `${n.address}/24`, 'dev', 'eth0']);
    await ip(['-n', n.netns, 'link', 'set', 'eth0', 'up']);
    await ip(['-n', n.netns, 'link', 'set', 'lo', 'up']);
    await ip(['-n', n.netns, 'route', 'add', 'default', 'via', s.advertiseAddr]);
  }
}

async function startDockerd(s: SwarmClusterState, i: number): Promise<void> {
  const n = s.nodes[i]!;
  await mkdir(n.dir, { recursive: true });
  // Its own UTS namespace so each node has its own hostname (what `docker node ls` shows).
  const uts = path.join(n.dir, 'uts');
  await writeFile(uts, '');
  await run('unshare', [`--uts=${uts}`, 'hostname', n.name]);
  const log = openSync(path.join(n.dir, 'dockerd.log'), 'a');
  const child = spawn('nsenter', [
    `--net=${n.netnsPath}`, `--uts=${uts}`, 'setsid', 'dockerd',
    '--data-root', path.join(n.dir, 'data'),
    '--exec-root', path.join(n.dir, 'exec'),
    '--pidfile', path.join(n.dir, 'docker.pid'),
    '-H', n.dockerHost,
    '--containerd-namespace', n.netns,
    '--containerd-plugins-namespace', `${n.netns}p`,
    '--cgroup-parent', `/${n.cgroupParent}`,
    '--bridge=none',
    '--insecure-registry', s.subnet,
    '--log-level', 'warn',
  ], { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  closeSync(log);
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await dockerAt(n.dockerHost, ['version', '--format', '{{.Server.Version}}'], 5_000);
      return;
    } catch (err) {
      if (Date.now() > deadline) {
        const tail = await readFile(path.join(n.dir, 'dockerd.log'), 'utf8').catch(() => '');
        throw new Error(`dockerd of ${n.name} did not answer: ${(err as Error).message}\n${tail.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function netnsInode(p: string): Promise<number | null> {
  try { return (await stat(p)).ino; } catch { return null; }
}

/** SIGKILL the processes in the node's netns and in its cgroup parent; repeat until none are left. */
async function killNodeProcesses(n: SwarmClusterState['nodes'][number]): Promise<void> {
  const ino = await netnsInode(n.netnsPath);
  for (let round = 0; round < 20; round++) {
    let found = 0;
    for (const pid of await readdir('/proc')) {
      if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
      let hit = false;
      try {
        if (ino !== null && (await readlink(`/proc/${pid}/ns/net`)) === `net:[${ino}]`) hit = true;
        if (!hit && (await readFile(`/proc/${pid}/cgroup`, 'utf8')).includes(`:/${n.cgroupParent}/`)) hit = true;
      } catch { continue; }
      if (!hit) continue;
      found++;
      try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
    }
    if (found === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`processes of ${n.name} survive SIGKILL`);
}

async function unmountUnder(dir: string): Promise<void> {
  const points = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => !!p && (p === dir || p.startsWith(dir + '/')))
    .sort((a, b) => b.length - a.length);
  for (const p of points) await run('umount', ['-l', p]).catch(() => undefined);
}

async function removeCgroups(parent: string): Promise<void> {
  const root = '/sys/fs/cgroup';
  let controllers: string[] = [];
  try { controllers = await readdir(root); } catch { return; }
  const walk = async (dir: string): Promise<void> => {
    let entries: string[] = [];
    try { entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name); } catch { return; }
    for (const e of entries) await walk(path.join(dir, e));
    await rmdir(dir).catch(() => undefined);
  };
  for (const c of controllers) await walk(path.join(root, c, parent));
}

/** Remove everything a cluster with this state made (safe on a half-made or already-removed one). */
export async function destroySwarmCluster(s: SwarmClusterState): Promise<void> {
  for (const n of s.nodes) await killNodeProcesses(n).catch(() => undefined);
  for (const n of s.nodes) {
    await unmountUnder(n.dir);
    await removeCgroups(n.cgroupParent);
    await ip(['netns', 'del', n.netns]).catch(() => undefined);
    await ip(['link', 'del', n.hostVeth]).catch(() => undefined);
  }
  await ip(['link', 'del', s.bridge]).catch(() => undefined);
  await unmountUnder(s.dir);
  await rm(s.dir, { recursive: true, force: true });
}

function attach(s: SwarmClusterState): SwarmCluster {
  return {
    ...s,
    dockerHost: s.nodes[0]!.dockerHost,
    insecureRegistries: s.subnet,
    docker: (i, args) => dockerAt(s.nodes[i]!.dockerHost, args),
    killNode: (i) => killNodeProcesses(s.nodes[i]!),
    stop: () => destroySwarmCluster(s),
  };
}

export async function startSwarmCluster(opts: StartSwarmClusterOptions): Promise<SwarmCluster> {
  const why = swarmClusterUnavailable();
  if (why) throw new Error(`swarm cluster unavailable: ${why}`);
  const dir = opts.baseDir ?? path.join(os.tmpdir(), `slipway-swarm-${(opts.name ?? 'swc').replace(/[^a-z0-9]/gi, '')}`);
  const s = layout(opts, dir);
  // A cluster of the same name left by a killed run goes first.
  await destroySwarmCluster(s);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'state.json'), JSON.stringify(s, null, 2));
  try {
    await makeNetwork(s);
    await Promise.all(s.nodes.map((_, i) => startDockerd(s, i)));
    const mgr = s.nodes[0]!;
    await dockerAt(mgr.dockerHost, ['swarm', 'init', '--advertise-addr', mgr.address, '--listen-addr', `${mgr.address}:2377`,
      '--dispatcher-heartbeat', opts.heartbeat ?? '1s']);
    const token = await dockerAt(mgr.dockerHost, ['swarm', 'join-token', '-q', 'worker']);
    await Promise.all(s.nodes.slice(1).map((n) =>
      dockerAt(n.dockerHost, ['swarm', 'join', '--advertise-addr', n.address, '--listen-addr', `${n.address}:2377`, '--token', token, `${mgr.address}:2377`])));
    await waitReady(mgr.dockerHost, s.nodes.length);
  } catch (err) {
    await destroySwarmCluster(s);
    throw err;
  }
  return attach(s);
}

/** Wait until `count` nodes are Ready in `docker node ls`. */
export async function waitReady(dockerHost: string, count: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = (await dockerAt(dockerHost, ['node', 'ls', '--format', '{{.Status}}'])).split('\n').filter((l) => l === 'Ready').length;
    if (ready >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${ready} of ${count} swarm nodes ready`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The cluster `up` left under this dir (for `down`). */
export async function readSwarmClusterState(dir: string): Promise<SwarmCluster> {
  return attach(JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8')) as SwarmClusterState);
}
