/**
 * Helpers of the runc e2e tests: a free /24 for a test bridge, the containers runc knows in a data
 * dir, the platform process of a data dir (to SIGKILL it), a last-resort cleanup of dynos left
 * running, and snapshots of every host resource a runc dyno uses (mounts, veths, netns, cgroups,
 * iptables rules, bundle dirs, leases) for the leak test.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { testConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log/index.js';
import { createRuncDriver } from '../../src/dynos/runc-driver.js';

export interface Probe {
  /** `http://<dyno ip>:<port>` */
  base: string;
  ip: string;
  updatedAt: string;
  get<T = Record<string, unknown>>(p: string, q?: Record<string, string>, timeoutMs?: number): Promise<T>;
}

export interface RuncContainer {
  id: string;
  pid: number;
  status: string;
  bundle: string;
}

/** A 10.x.y.0/24 no interface of this host is on (so a test bridge never shadows a real network). */
export function freeSubnet(): string {
  const used = execFileSync('ip', ['-4', '-o', 'addr'], { encoding: 'utf8' });
  for (let i = 0; i < 200; i++) {
    const net = `10.${150 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}`;
    if (!used.includes(` ${net}.`)) return `${net}.0/24`;
  }
  throw new Error('no free 10.x.y.0/24 found');
}

/** `runc list` of the runc driver's state dir under a platform data dir. */
export function runcList(dataDir: string): RuncContainer[] {
  const out = execFileSync('runc', ['--root', path.join(dataDir, 'runc', 'state'), 'list', '--format', 'json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  return (JSON.parse(out === '' ? 'null' : out) as RuncContainer[] | null) ?? [];
}

/** The pid of the platform process (`src/main.ts` or `dist/src/main.js`) running on `dataDir`. */
export function platformPid(dataDir: string): number | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (!/src\/main\.(ts|js)\0?$/.test(cmdline)) continue;
      const environ = readFileSync(`/proc/${name}/environ`, 'utf8').split('\0');
      if (environ.includes(`SLIPWAY_DATA_DIR=${dataDir}`)) return Number(name);
    } catch {
      // ended meanwhile
    }
  }
  return undefined;
}

/** Stops (SIGKILL) and cleans up every dyno still running on `dataDir`, through the driver itself. */
export async function cleanupRuncData(dataDir: string, net: { bridge: string; subnet: string }): Promise<number> {
  const driver = createRuncDriver({ config: testConfig({ runcBridge: net.bridge, runcSubnet: net.subnet }), logger: silentLogger, dataDir, network: net });
  try {
    const refs = await driver.list();
    for (const ref of refs) await driver.stop({ ref, host: null, port: null }, { graceMs: 0, signal: 'SIGKILL' }).catch(() => undefined);
    return refs.length;
  } finally {
    await driver.close();
  }
}

/** GET with a Host header (fetch ignores one), as a browser would ask the router for `<app>.<domain>`. */
export function hostGet(url: string, host: string, timeoutMs = 15_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { Host: host }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} (Host: ${host}) timed out`)));
    req.on('error', reject);
  });
}

/** Every host resource of runc dynos that `mine` claims, as sorted lines per kind (leak test). */
export interface HostSnapshot {
  mounts: string[];
  links: string[];
  netns: string[];
  cgroups: string[];
  iptables: string[];
  files: string[];
  processes: string[];
  containers: string[];
}

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export function snapshotHost(dataDir: string, mine: (line: string) => boolean): HostSnapshot {
  const keep = (lines: string[]) => lines.filter((l) => l.trim() !== '' && mine(l)).sort();
  const cgroups: string[] = [];
  for (const controller of listDir('/sys/fs/cgroup')) {
    for (const d of listDir(path.join('/sys/fs/cgroup', controller, 'slipway'))) cgroups.push(`${controller}/slipway/${d}`);
  }
  const procs: string[] = [];
  for (const pid of listDir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      procs.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '));
    } catch {
      // ended meanwhile
    }
  }
  const runc = path.join(dataDir, 'runc');
  const files = ['dynos', 'leases', 'sockets', 'state'].flatMap((d) => listDir(path.join(runc, d)).map((f) => `${d}/${f}`));
  return {
    mounts: keep(readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ').slice(3, 5).join(' '))),
    links: keep(sh('ip', ['-o', 'link']).split('\n').map((l) => l.split(':')[1]?.trim().split('@')[0] ?? '')),
    netns: keep(sh('ip', ['netns', 'list']).split('\n').map((l) => l.split(' ')[0])),
    cgroups: keep(cgroups),
    iptables: keep([...sh('iptables-save', ['-t', 'filter']).split('\n'), ...sh('iptables-save', ['-t', 'nat']).split('\n')]
      .filter((l) => !l.startsWith('#')).map((l) => l.replace(/\[\d+:\d+\]/, ''))),
    files: files.filter((f) => !f.startsWith('state/') || mine(f)).sort(),
    processes: keep(procs),
    containers: runcList(dataDir).map((c) => c.id).sort(),
  };
}
