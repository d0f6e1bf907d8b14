/**
 * Reading a container's cgroup on cgroup v1 (and hybrid) hosts and on cgroup v2 (unified) hosts:
 * memory in use (without reclaimable page cache, as `docker stats` counts it), cumulative CPU
 * time, and how many times the kernel OOM-killed inside it. Parsing is pure; reading is a thin layer.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export type CgroupVersion = 1 | 2;

export interface CgroupUsage {
  memoryBytes: number;
  cpuMicros: number;
  /** Anonymous memory (v1 total_rss, v2 anon). */
  rssBytes?: number;
  /** Page cache (v1 total_cache, v2 file). */
  cacheBytes?: number;
  /** Swap in use (v1 total_swap with swap accounting, v2 memory.swap.current). */
  swapBytes?: number;
}

export const CGROUP_ROOT = '/sys/fs/cgroup';

/** The parent cgroup of every dyno and build container (`/slipway/<id>`). */
export const CONTAINERS_PARENT = 'slipway';

/**
 * The CPU weight of the containers' parent cgroup: one standard share per CPU (v1 `cpu.shares`
 * 1024, v2 `cpu.weight` 100), as Kubernetes weighs `kubepods` by the node's allocatable CPUs. With
 * the default single share, all dynos together weigh as much as one busy host process: ten dynos
 * booting at once crawl behind the platform's own work (and whatever else runs on the host), while
 * the same ten commands started bare would each weigh one process.
 */
export function parentCpuWeight(version: CgroupVersion, cpus: number): { file: string; value: number } {
  const n = Math.max(1, Math.floor(cpus));
  return version === 1
    ? { file: 'cpu.shares', value: Math.min(262_144, 1024 * n) }
    : { file: 'cpu.weight', value: Math.min(10_000, 100 * n) };
}

/** Applies parentCpuWeight (creating the parent cgroup if needed); false when the host does not let us. */
export async function ensureParentCpuWeight(version: CgroupVersion, cpus = os.availableParallelism(), root = CGROUP_ROOT): Promise<boolean> {
  const { file, value } = parentCpuWeight(version, cpus);
  const dir = version === 1 ? path.join(root, 'cpu', CONTAINERS_PARENT) : path.join(root, CONTAINERS_PARENT);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, file), String(value));
    return true;
  } catch {
    return false;
  }
}

/** From /proc/self/mountinfo: v2 when `/sys/fs/cgroup` itself is a cgroup2 mount; v1 when v1 controllers are mounted; null when none. */
export function cgroupVersionFromMountinfo(mountinfo: string): CgroupVersion | null {
  let v1 = false;
  for (const line of mountinfo.split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    const mountPoint = pre.split(' ')[4];
    const fstype = post.split(' ')[0];
    if (mountPoint === CGROUP_ROOT && fstype === 'cgroup2') return 2;
    if (fstype === 'cgroup' && mountPoint?.startsWith(CGROUP_ROOT + '/')) v1 = true;
  }
  return v1 ? 1 : null;
}

export async function detectCgroupVersion(): Promise<CgroupVersion | null> {
  try {
    return cgroupVersionFromMountinfo(await readFile('/proc/self/mountinfo', 'utf8'));
  } catch {
    return null;
  }
}

/** `key value` lines (memory.stat, cpu.stat, memory.events, memory.oom_control) into a map. */
export function parseFlatKeyed(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

/** Memory in use = usage minus inactive file cache (v1: total_inactive_file; v2: inactive_file). */
export function workingSet(usage: number, stat: Record<string, number>): number {
  const inactive = stat.total_inactive_file ?? stat.inactive_file ?? 0;
  return Math.max(0, usage - inactive);
}

async function readText(p: string): Promise<string | undefined> {
  try {
    return await readFile(p, 'utf8');
  } catch {
    return undefined;
  }
}

async function readNumber(p: string): Promise<number | undefined> {
  const t = await readText(p);
  if (t === undefined) return undefined;
  const n = Number(t.trim());
  return Number.isFinite(n) ? n : undefined;
}

/** The usage with the RSS / cache / swap figures the kernel gave (absent ones left out). */
function withParts(u: CgroupUsage, rss: number | undefined, cache: number | undefined, swap: number | undefined): CgroupUsage {
  if (rss !== undefined) u.rssBytes = rss;
  if (cache !== undefined) u.cacheBytes = cache;
  if (swap !== undefined) u.swapBytes = swap;
  return u;
}

export interface CgroupReader {
  readonly version: CgroupVersion;
  usage(cgroupsPath: string): Promise<CgroupUsage | undefined>;
  /** Number of OOM kills inside the cgroup so far (0 when none; undefined when the cgroup is gone). */
  oomKills(cgroupsPath: string): Promise<number | undefined>;
  /** Does the cgroup directory still exist (any controller)? */
  exists(cgroupsPath: string): Promise<boolean>;
}

export function createCgroupReader(version: CgroupVersion, root = CGROUP_ROOT): CgroupReader {
  const rel = (p: string) => p.replace(/^\/+/, '');
  if (version === 2) {
    const dir = (p: string) => path.join(root, rel(p));
    return {
      version,
      async usage(p) {
        const current = await readNumber(path.join(dir(p), 'memory.current'));
        if (current === undefined) return undefined;
        const stat = parseFlatKeyed((await readText(path.join(dir(p), 'memory.stat'))) ?? '');
        const cpu = parseFlatKeyed((await readText(path.join(dir(p), 'cpu.stat'))) ?? '');
        const swap = await readNumber(path.join(dir(p), 'memory.swap.current'));
        return withParts({ memoryBytes: workingSet(current, stat), cpuMicros: cpu.usage_usec ?? 0 }, stat.anon, stat.file, swap);
      },
      async oomKills(p) {
        const events = await readText(path.join(dir(p), 'memory.events'));
        if (events === undefined) return undefined;
        return parseFlatKeyed(events).oom_kill ?? 0;
      },
      async exists(p) {
        return (await readText(path.join(dir(p), 'cgroup.procs'))) !== undefined;
      },
    };
  }
  const mem = (p: string) => path.join(root, 'memory', rel(p));
  return {
    version,
    async usage(p) {
      const usage = await readNumber(path.join(mem(p), 'memory.usage_in_bytes'));
      if (usage === undefined) return undefined;
      const stat = parseFlatKeyed((await readText(path.join(mem(p), 'memory.stat'))) ?? '');
      const cpuNanos = (await readNumber(path.join(root, 'cpuacct', rel(p), 'cpuacct.usage'))) ??
        (await readNumber(path.join(root, 'cpu,cpuacct', rel(p), 'cpuacct.usage'))) ?? 0;
      return withParts({ memoryBytes: workingSet(usage, stat), cpuMicros: Math.floor(cpuNanos / 1000) }, stat.total_rss, stat.total_cache, stat.total_swap);
    },
    async oomKills(p) {
      const ctl = await readText(path.join(mem(p), 'memory.oom_control'));
      if (ctl === undefined) return undefined;
      const parsed = parseFlatKeyed(ctl);
      if (parsed.oom_kill !== undefined) return parsed.oom_kill;
      // Kernels before 4.13 have no oom_kill counter: hitting the limit is the best signal.
      return (await readNumber(path.join(mem(p), 'memory.failcnt'))) ?? 0;
    },
    async exists(p) {
      return (await readText(path.join(mem(p), 'cgroup.procs'))) !== undefined;
    },
  };
}
