/**
 * A dyno's scratch filesystem: one tmpfs per dyno, `size=` its disk limit, mounted on the host at
 * `<dyno dir>/scratch` before the container is created and holding everything the dyno can write
 * outside its memory: `upper/` and `work/` of the `/app` overlay and `tmp/` (bound at `/tmp`);
 * also the container's `rootfs/` and generated `etc/`, and `lower`, a symlink to the unpacked slug.
 *
 * Living on this tmpfs keeps the data dir's path out of the dyno's `/proc/self/mountinfo`: a bind's
 * root is shown relative to its filesystem (`/rootfs`, `/etc`, `/tmp`), and the overlay's options
 * are given relative to the rootfs (runc mounts from there): `lowerdir=../lower,upperdir=../upper`.
 * Writes past the limit fail with ENOSPC inside the dyno; nothing a dyno writes reaches the disk
 * that holds the platform's database, repos and slugs; it all goes when the dyno ends.
 *
 * Why a tmpfs (docs/runtime-runc.md compares the options, measured): one mount per start and an
 * exact, kernel-enforced limit, no loop device or filesystem image per dyno, and no quota-enabled
 * filesystem required of the operator. The cost: the pages count in the dyno's memory cgroup
 * (as Cloud Run's in-memory filesystem does), which is why the default limit is half the quota.
 */
import { chmod, chown, mkdir, statfs, symlink } from 'node:fs/promises';
import path from 'node:path';
import { execCapture } from '../isolation/index.js';

export function scratchDir(dynoDir: string): string {
  return path.join(dynoDir, 'scratch');
}

/** The container's root and generated `/etc` (bound read-only), on the scratch filesystem. */
export function scratchPaths(dynoDir: string): { rootfs: string; etc: string } {
  return { rootfs: path.join(scratchDir(dynoDir), 'rootfs'), etc: path.join(scratchDir(dynoDir), 'etc') };
}

/** The overlay's dirs as the kernel will show them: relative to the rootfs, where runc mounts from. */
export const OVERLAY_RELATIVE = { lowerDir: '../lower', upperDir: '../upper', workDir: '../work' } as const;

/** Mounts the scratch tmpfs and makes its dirs: `upper/` owned by the dyno user, `tmp/` 1777, `lower` → the slug. */
export async function mountScratch(dynoDir: string, bytes: number, owner: { uid: number; gid: number }, lowerDir: string): Promise<string> {
  const dir = scratchDir(dynoDir);
  await mkdir(dir, { recursive: true, mode: 0o711 });
  const kb = Math.max(1024, Math.floor(bytes / 1024));
  const r = await execCapture('mount', ['-t', 'tmpfs', '-o', `size=${kb}k,mode=0711,nosuid,nodev`, 'slipway-dyno', dir]);
  if (r.code !== 0) throw new Error(`could not mount the dyno's scratch filesystem: ${r.stderr.trim()}`);
  for (const d of ['upper', 'work', 'tmp']) await mkdir(path.join(dir, d));
  await chown(path.join(dir, 'upper'), owner.uid, owner.gid);
  await chmod(path.join(dir, 'tmp'), 0o1777);
  await symlink(lowerDir, path.join(dir, 'lower'));
  return dir;
}

/**
 * Unmounts it (lazily: the container's own mount namespace is gone by now, but a process still
 * entering it must not keep the dyno dir from being removed). Nothing mounted is fine.
 */
export async function unmountScratch(dynoDir: string): Promise<void> {
  const dir = scratchDir(dynoDir);
  const r = await execCapture('umount', ['--lazy', dir]);
  if (r.code !== 0 && !/not mounted|no mount point|not found|No such file/i.test(r.stderr)) {
    throw new Error(`could not unmount ${dir}: ${r.stderr.trim()}`);
  }
}

/** Used and total bytes of the scratch filesystem, or undefined when it is not there. */
export async function scratchUsage(dynoDir: string): Promise<{ usedBytes: number; limitBytes: number } | undefined> {
  try {
    const s = await statfs(scratchDir(dynoDir));
    // A tmpfs that is not mounted is the data dir's own filesystem: its numbers mean nothing here.
    if (s.type !== TMPFS_MAGIC) return undefined;
    return { usedBytes: (s.blocks - s.bfree) * s.bsize, limitBytes: s.blocks * s.bsize };
  } catch {
    return undefined;
  }
}

/** statfs(2)'s f_type of a tmpfs. */
const TMPFS_MAGIC = 0x01021994;
