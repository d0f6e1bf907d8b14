/**
 * One host uid/gid per app (tenant), for its dynos and its builds. The kernel counts several
 * limits per user — inotify instances and watches, RLIMIT_NPROC, POSIX message queue bytes,
 * pending signals — so with one shared uid one app could exhaust them for every other app (it
 * took 127 of 128 inotify instances and another app's `inotify_init1` failed with EMFILE).
 *
 * The uid is derived from the app id (sha-256 into a reserved range far above login accounts
 * and the 100000+ subuid ranges rootless containers use), so it is the same after a restart
 * and, in practice, on every platform of the host; a collision inside one data dir is resolved
 * by claiming the uid with a file created exclusively (`<dir>/<uid>` holds the app id) and moving
 * to the next candidate. The gid equals the uid. Claims are never released while the data dir
 * lives: files of the app (unpacked slugs, build caches) keep its uid.
 */
import { createHash, randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ContainerUser } from './oci-spec.js';

/** First uid of the range; below 2^31 so tools that keep ids in a signed int are fine. */
export const TENANT_UID_BASE = 2_000_000_000;
/** Size of the range (2^24). */
export const TENANT_UID_COUNT = 16_777_216;
/** Candidates tried before giving up (each a hash collision inside one data dir). */
const MAX_PROBES = 64;

/** Pure: the n-th candidate uid of an app (n = 0 is its home uid). */
export function tenantUidCandidate(appId: string, n: number): number {
  const h = createHash('sha256').update(appId).digest();
  return TENANT_UID_BASE + ((h.readUInt32BE(0) + n) % TENANT_UID_COUNT);
}

export function isTenantUid(uid: number): boolean {
  return uid >= TENANT_UID_BASE && uid < TENANT_UID_BASE + TENANT_UID_COUNT;
}

/** Where a platform's claims live: one place for its dynos and its builds. */
export function tenantUidsDir(dataDir: string): string {
  return path.join(dataDir, 'runc', 'uids');
}

export interface TenantUids {
  /** The app's uid/gid (claimed on first use). */
  userFor(appId: string): Promise<ContainerUser>;
}

export function createTenantUids(opts: { dir: string }): TenantUids {
  const known = new Map<string, Promise<ContainerUser>>();
  const claim = async (appId: string): Promise<ContainerUser> => {
    await mkdir(opts.dir, { recursive: true, mode: 0o700 });
    // Written whole, then linked into place: a claim is never seen half-written.
    const tmp = path.join(opts.dir, `.tmp-${randomBytes(6).toString('hex')}`);
    await writeFile(tmp, appId);
    try {
      for (let n = 0; n < MAX_PROBES; n++) {
        const uid = tenantUidCandidate(appId, n);
        const file = path.join(opts.dir, String(uid));
        try {
          await link(tmp, file);
          return { uid, gid: uid };
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
        if ((await readFile(file, 'utf8')).trim() === appId) return { uid, gid: uid };
      }
    } finally {
      await rm(tmp, { force: true });
    }
    throw new Error(`no free tenant uid for app ${appId} after ${MAX_PROBES} candidates`);
  };
  return {
    userFor(appId) {
      let p = known.get(appId);
      if (!p) {
        p = claim(appId);
        p.catch(() => known.delete(appId));
        known.set(appId, p);
      }
      return p;
    },
  };
}
