/**
 * Can this host run isolated containers? (Linux, root, runc and conmon on PATH, iproute2 and
 * iptables for the network, cgroups mounted.) main.ts picks `runc` when usable and otherwise
 * falls back to `process`, logging the reason this returns.
 */
import { detectCgroupVersion, type CgroupVersion } from './cgroups.js';
import { execCapture } from './exec.js';

export type RuncUsability = { usable: true; cgroupVersion: CgroupVersion } | { usable: false; reason: string };

async function onPath(cmd: string, args: string[]): Promise<boolean> {
  try {
    return (await execCapture(cmd, args, { timeoutMs: 10_000 })).code === 0;
  } catch {
    return false;
  }
}

export async function isRuncUsable(opts: { runc?: string; conmon?: string } = {}): Promise<RuncUsability> {
  if (process.platform !== 'linux') return { usable: false, reason: `runc needs Linux, this is ${process.platform}` };
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return { usable: false, reason: 'runc dynos need root (uid 0)' };
  if (!(await onPath(opts.runc ?? 'runc', ['--version']))) return { usable: false, reason: 'runc is not on PATH' };
  if (!(await onPath(opts.conmon ?? 'conmon', ['--version']))) return { usable: false, reason: 'conmon is not on PATH' };
  if (!(await onPath('ip', ['-V']))) return { usable: false, reason: 'iproute2 (ip) is not on PATH' };
  if (!(await onPath('iptables', ['-V']))) return { usable: false, reason: 'iptables is not on PATH' };
  const cgroupVersion = await detectCgroupVersion();
  if (cgroupVersion === null) return { usable: false, reason: 'no cgroup filesystem is mounted at /sys/fs/cgroup' };
  return { usable: true, cgroupVersion };
}
