/**
 * Reads the host state `planCleanup` needs and applies its actions (argument arrays, no shell).
 */
import { readdir, readFile, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { CLAIMS_DIR, execCapture, INSTANCES_DIR, removeOwner } from '../isolation/index.js';
import type { Action, HostProcess, HostSnapshot } from './plan.js';

const CGROUP_ROOT = '/sys/fs/cgroup';

async function list(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => [] as string[]);
}

/** This process and its ancestors: never killed (the CLI that runs cleanup names the data dir too). */
async function ancestors(): Promise<Set<number>> {
  const out = new Set<number>();
  let pid = process.pid;
  while (pid > 1 && !out.has(pid)) {
    out.add(pid);
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
    if (stat === null) break;
    pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  }
  return out;
}

export async function snapshotHost(): Promise<HostSnapshot> {
  const skip = await ancestors();
  const processes: HostProcess[] = [];
  for (const name of await list('/proc')) {
    if (!/^\d+$/.test(name) || skip.has(Number(name))) continue;
    try {
      const cmdline = (await readFile(`/proc/${name}/cmdline`, 'utf8')).split('\0').filter(Boolean);
      const environ = (await readFile(`/proc/${name}/environ`, 'utf8')).split('\0').filter(Boolean);
      if (cmdline.length > 0) processes.push({ pid: Number(name), cmdline, environ });
    } catch {
      // ended meanwhile, or a kernel thread
    }
  }
  const cgroups: string[] = [];
  for (const ctrl of await list(CGROUP_ROOT)) {
    for (const d of await list(path.join(CGROUP_ROOT, ctrl, 'slipway'))) cgroups.push(`${ctrl}/slipway/${d}`);
  }
  // cgroup v2: /sys/fs/cgroup/slipway/<id> directly.
  for (const d of await list(path.join(CGROUP_ROOT, 'slipway'))) if (!cgroups.includes(`slipway/${d}`)) cgroups.push(`slipway/${d}`);
  const netns = await list('/run/netns');
  const links = (await execCapture('ip', ['-o', 'link', 'show'])).stdout.split('\n').map((l) => l.split(':')[1]?.trim().split('@')[0] ?? '').filter(Boolean);
  const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((l) => l.split(' ')[4]).filter((m): m is string => Boolean(m));
  const iptables = (await execCapture('iptables-save', ['-t', 'filter'])).stdout;
  const claims: HostSnapshot['claims'] = [];
  for (const bridge of await list(CLAIMS_DIR)) {
    for (const ip of await list(path.join(CLAIMS_DIR, bridge))) {
      const owner = (await readFile(path.join(CLAIMS_DIR, bridge, ip), 'utf8').catch(() => '')).trim();
      claims.push({ bridge, ip, owner });
    }
  }
  return { processes, cgroups, netns, links, mounts, iptables, claims };
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

async function cgroupPids(dir: string): Promise<number[]> {
  for (const f of ['cgroup.procs', 'tasks']) {
    const text = await readFile(path.join(dir, f), 'utf8').catch(() => null);
    if (text !== null) return text.split('\n').filter(Boolean).map(Number);
  }
  return [];
}

/** Kills everything in a cgroup (freezer-free: repeat until empty) and removes it. */
async function removeCgroup(rel: string): Promise<void> {
  const dir = path.join(CGROUP_ROOT, rel);
  for (let i = 0; i < 100; i++) {
    const pids = await cgroupPids(dir);
    if (pids.length === 0) break;
    for (const p of pids) kill(p);
    await new Promise((r) => setTimeout(r, 50));
  }
  // Child cgroups first (runc may nest), then the dir itself.
  for (const sub of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (sub.isDirectory()) await removeCgroup(path.join(rel, sub.name));
  }
  for (let i = 0; i < 20; i++) {
    try {
      await rmdir(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY') throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`cgroup ${dir} is still busy`);
}

async function must(cmd: string, args: string[], input?: string): Promise<void> {
  const r = await execCapture(cmd, args, input === undefined ? {} : { input });
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.trim() || `exit ${r.code}`}`);
}

/** Applies one action; throws with what failed. */
export async function applyAction(a: Action): Promise<void> {
  switch (a.kind) {
    case 'kill':
      kill(a.pid);
      return;
    case 'cgroup':
      return removeCgroup(a.path);
    case 'umount': {
      const r = await execCapture('umount', ['-l', a.path]);
      if (r.code !== 0 && !/not mounted|no mount point|not found/i.test(r.stderr)) throw new Error(`umount ${a.path}: ${r.stderr.trim()}`);
      return;
    }
    case 'netns': {
      const r = await execCapture('ip', ['netns', 'del', a.name]);
      if (r.code !== 0 && !/No such file/i.test(r.stderr)) throw new Error(`ip netns del ${a.name}: ${r.stderr.trim()}`);
      return;
    }
    case 'link': {
      const r = await execCapture('ip', ['link', 'del', a.name]);
      if (r.code !== 0 && !/Cannot find device/i.test(r.stderr)) throw new Error(`ip link del ${a.name}: ${r.stderr.trim()}`);
      return;
    }
    case 'iptables':
      return must('iptables-restore', ['-w', '10', '--noflush'], a.script);
    case 'claim':
      await rm(path.join(CLAIMS_DIR, a.bridge, a.ip), { force: true });
      return;
    case 'owner':
      await removeOwner(a.instance, INSTANCES_DIR);
      return;
  }
}
