/**
 * The runc driver's state on disk, which is what lets a restarted manager re-adopt its dynos:
 *
 *   <dataDir>/runc/state/        runc --root
 *   <dataDir>/runc/slugs/<key>/  a release's slug, unpacked once (shared read-only overlay lower)
 *   <dataDir>/runc/leases/<ip>   IP leases (created O_EXCL, so two managers never share an address),
 *                                backed by a host-wide claim (isolation/address-claims.ts)
 *   <dataDir>/runc/uids/<uid>    the app holding each tenant uid (isolation/tenant-uids.ts)
 *   <dataDir>/runc/dynos/<id>/   one dyno: meta.json, config.json, scratch/ (a tmpfs: rootfs/ etc/
 *                                upper/ work/ tmp/ lower→slug, runc-driver-scratch.ts),
 *                                ctr.log (conmon), exit/<id> (conmon), log.offset, signal
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exec } from '../isolation/index.js';
import { unpackSlug } from './slug-unpack.js';

export interface DynoMeta {
  id: string;
  appId: string;
  appName: string;
  name: string;
  ip: string | null;
  netns: string | null;
  cgroupsPath: string;
  lowerKey: string;
  startedAt: string;
  /** The app's host uid (= gid) the dyno runs as (isolation/tenant-uids.ts). */
  uid?: number;
  /** An attached one-off run by `runc run` without conmon: it cannot be re-adopted. */
  attached?: boolean;
  /** Add-on ports opened to this dyno (closed with it). */
  addonPorts?: number[];
}

export interface RuncLayout {
  root: string;
  state: string;
  slugs: string;
  leases: string;
  dynos: string;
  sockets: string;
}

export function runcLayout(dataDir: string): RuncLayout {
  const root = path.join(dataDir, 'runc');
  return {
    root,
    state: path.join(root, 'state'),
    slugs: path.join(root, 'slugs'),
    leases: path.join(root, 'leases'),
    dynos: path.join(root, 'dynos'),
    sockets: path.join(root, 'sockets'),
  };
}

export async function ensureLayout(l: RuncLayout): Promise<void> {
  for (const d of [l.state, l.slugs, l.leases, l.dynos, l.sockets]) await mkdir(d, { recursive: true, mode: 0o700 });
}

export function dynoDir(l: RuncLayout, id: string): string {
  return path.join(l.dynos, id);
}

export async function writeMeta(dir: string, meta: DynoMeta): Promise<void> {
  await writeFile(path.join(dir, 'meta.json'), JSON.stringify(meta));
}

export async function readMeta(dir: string): Promise<DynoMeta | null> {
  try {
    return JSON.parse(await readFile(path.join(dir, 'meta.json'), 'utf8')) as DynoMeta;
  } catch {
    return null;
  }
}

export async function allMetas(l: RuncLayout): Promise<DynoMeta[]> {
  let names: string[];
  try {
    names = await readdir(l.dynos);
  } catch {
    return [];
  }
  const out: DynoMeta[] = [];
  for (const n of names) {
    const m = await readMeta(path.join(l.dynos, n));
    if (m) out.push(m);
  }
  return out;
}

export async function readNumberFile(file: string): Promise<number> {
  try {
    const n = Number((await readFile(file, 'utf8')).trim());
    return Number.isFinite(n) ? n : 0;
  } catch {
    return 0;
  }
}

export async function readTextFile(file: string): Promise<string | null> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    return null;
  }
}

/** The host-wide side of a lease (isolation's AddressClaims). */
export interface HostClaims {
  heldElsewhere(ip: string): boolean;
  claim(ip: string, owner: string): Promise<boolean>;
  release(ip: string, owner: string): Promise<void>;
}

/**
 * Claims a free address from `first..last` by creating its lease file exclusively, and, with
 * `claims`, its host-wide claim (an address another platform or a leftover namespace holds is skipped).
 */
export async function leaseIp(l: RuncLayout, range: { first: number; last: number }, toString: (n: number) => string, owner: string, claims?: HostClaims): Promise<string> {
  for (let n = range.first; n <= range.last; n++) {
    const ip = toString(n);
    if (claims?.heldElsewhere(ip)) continue;
    const file = path.join(l.leases, ip);
    try {
      const fh = await open(file, 'wx');
      await fh.writeFile(owner);
      await fh.close();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      continue;
    }
    if (!claims || (await claims.claim(ip, owner))) return ip;
    await rm(file, { force: true });
  }
  throw new Error('no free address left on the dyno network');
}

export async function releaseIp(l: RuncLayout, ip: string, owner: string, claims?: HostClaims): Promise<void> {
  await claims?.release(ip, owner).catch(() => {});
  const file = path.join(l.leases, ip);
  try {
    if ((await readFile(file, 'utf8')).trim() === owner) await rm(file, { force: true });
  } catch {
    // already released
  }
}

async function slugKey(slugPath: string | null, owner: { uid: number }): Promise<string> {
  if (slugPath === null) return `empty-${owner.uid}`;
  const st = await stat(slugPath);
  return createHash('sha256').update(`${slugPath}\0${st.size}\0${st.mtimeMs}\0${owner.uid}`).digest('hex').slice(0, 20);
}

/**
 * The release's slug unpacked once per owner (owned by the app's uid, so the overlay's copies are
 * too); concurrent starts share one unpack. Returns the key and the directory.
 */
export function createLowerCache(l: RuncLayout) {
  const inflight = new Map<string, Promise<string>>();
  const unpack = async (key: string, slugPath: string | null, owner: { uid: number; gid: number }): Promise<string> => {
    const final = path.join(l.slugs, key);
    try {
      if ((await stat(final)).isDirectory()) return final;
    } catch {
      // not unpacked yet
    }
    const tmp = path.join(l.slugs, `.tmp-${randomBytes(6).toString('hex')}`);
    try {
      const appDir = await unpackSlug(slugPath, tmp);
      await exec('chown', ['-R', '--no-dereference', `${owner.uid}:${owner.gid}`, appDir]);
      try {
        await rename(appDir, final);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw err;
      }
      await writeFile(`${final}.json`, JSON.stringify({ slugPath }));
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    return final;
  };
  return {
    async get(slugPath: string | null, owner: { uid: number; gid: number }): Promise<{ key: string; dir: string }> {
      const key = await slugKey(slugPath, owner);
      let p = inflight.get(key);
      if (!p) {
        p = unpack(key, slugPath, owner).finally(() => inflight.delete(key));
        inflight.set(key, p);
      }
      return { key, dir: await p };
    },
    /** Removes unpacked slugs no dyno uses whose slug file is gone (the release was pruned). */
    async gc(inUse: Set<string>): Promise<void> {
      let names: string[];
      try {
        names = await readdir(l.slugs);
      } catch {
        return;
      }
      for (const n of names) {
        if (n.endsWith('.json') || n.startsWith('.') || n.startsWith('empty') || inUse.has(n) || inflight.has(n)) continue;
        const info = await readTextFile(path.join(l.slugs, `${n}.json`));
        const slugPath = info ? (JSON.parse(info) as { slugPath: string | null }).slugPath : null;
        if (slugPath !== null) {
          try {
            await stat(slugPath);
            continue;
          } catch {
            // the slug is gone: so is its unpacked copy
          }
        }
        await rm(path.join(l.slugs, n), { recursive: true, force: true });
        await rm(path.join(l.slugs, `${n}.json`), { force: true });
      }
    },
  };
}
