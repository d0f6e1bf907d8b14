/**
 * Host-wide claims on dyno addresses: `/run/slipway/claims/<bridge>/<ip>` holds the id of the
 * container (= its netns name) using the address. The bridge is shared by every Slipway on the
 * host and outlives a platform killed together with its data dir, while each platform's leases
 * live in its own data dir; without these claims two platforms (or one and the leftover network
 * namespaces of another) hand out the same address, and the host's ARP entry points at whichever
 * namespace answered last: connects are refused or reach another app's dyno. A claim whose netns
 * is gone (and that is older than `staleMs`, since a claim is made just before its netns) is stale.
 * `/run` is a tmpfs, cleared with the namespaces at reboot.
 */
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { execCapture } from './exec.js';

export const CLAIMS_DIR = '/run/slipway/claims';

export interface AddressClaims {
  /** True when `owner` now holds `ip` (or already did); false when a live container holds it. */
  claim(ip: string, owner: string): Promise<boolean>;
  /** Known (from the last minute) to be held by another owner: skip it without touching the disk. */
  heldElsewhere(ip: string): boolean;
  /** Drops `owner`'s claim on `ip` (nothing if another owner holds it). */
  release(ip: string, owner: string): Promise<void>;
  /** Claims, for their namespaces, the addresses already set inside existing netns (leftovers). */
  seed(inSubnet: (ip: string) => boolean): Promise<number>;
}

/** `ip -all netns exec ip -4 -o addr show` output → [netns, ip] pairs (loopback left out). */
export function parseNetnsAddresses(out: string): [string, string][] {
  const pairs: [string, string][] = [];
  let ns: string | null = null;
  for (const line of out.split('\n')) {
    const m = /^netns: (\S+)/.exec(line);
    if (m) {
      ns = m[1];
      continue;
    }
    const a = /\binet (\d+\.\d+\.\d+\.\d+)\//.exec(line);
    if (ns !== null && a && !a[1].startsWith('127.')) pairs.push([ns, a[1]]);
  }
  return pairs;
}

export function createAddressClaims(opts: { bridge: string; dir?: string; netnsDir?: string; staleMs?: number; now?: () => number }): AddressClaims {
  const dir = path.join(opts.dir ?? CLAIMS_DIR, opts.bridge);
  const netnsDir = opts.netnsDir ?? '/run/netns';
  const staleMs = opts.staleMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const fileOf = (ip: string) => {
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) throw new Error(`not an IPv4 address: ${ip}`);
    return path.join(dir, ip);
  };
  const exists = (p: string) => stat(p).then(() => true, () => false);
  /** Addresses seen held by someone else, and when: many starts at once need not re-read them all. */
  const held = new Map<string, number>();
  const heldElsewhere = (ip: string) => {
    const at = held.get(ip);
    if (at === undefined) return false;
    if (now() - at < staleMs) return true;
    held.delete(ip);
    return false;
  };

  const create = async (file: string, owner: string): Promise<boolean> => {
    try {
      const fh = await open(file, 'wx');
      try {
        await fh.writeFile(owner);
      } finally {
        await fh.close();
      }
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
  };

  return {
    heldElsewhere,
    async claim(ip, owner) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const file = fileOf(ip);
      for (let attempt = 0; attempt < 2; attempt++) {
        if (await create(file, owner)) return true;
        const holder = (await readFile(file, 'utf8').catch(() => '')).trim();
        if (holder === owner) return true;
        const age = now() - ((await stat(file).catch(() => null))?.mtimeMs ?? 0);
        const alive = holder !== '' && !holder.includes('/') && (await exists(path.join(netnsDir, holder)));
        if (alive || age < staleMs) {
          held.set(ip, now());
          return false;
        }
        await rm(file, { force: true });
      }
      return false;
    },
    async release(ip, owner) {
      const file = fileOf(ip);
      const holder = (await readFile(file, 'utf8').catch(() => '')).trim();
      if (holder === owner) await rm(file, { force: true });
      held.delete(ip);
    },
    async seed(inSubnet) {
      const r = await execCapture('ip', ['-all', 'netns', 'exec', 'ip', '-4', '-o', 'addr', 'show'], { timeoutMs: 60_000 });
      await mkdir(dir, { recursive: true, mode: 0o700 });
      let n = 0;
      for (const [ns, ip] of parseNetnsAddresses(r.stdout)) {
        if (!inSubnet(ip)) continue;
        if (await create(fileOf(ip), ns)) n++;
        held.set(ip, now());
      }
      return n;
    },
  };
}
