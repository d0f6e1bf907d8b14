/**
 * A platform instance: one data dir's platform on this host. Its id (8 hex digits, saved in
 * `<dataDir>/instance-id` at first start) names everything it makes on the host that outlives it
 * or is shared: container ids and network namespaces (`<app>.<dyno>.<id><random>`,
 * `slipway-run-<id>…`), firewall rule comments (`slw:<id>`), and the owner file
 * `/run/slipway/instances/<id>.json` (pid and start time of the platform process, data dir, bridge).
 * So `slipway cleanup` finds a killed platform's leftovers even after its data dir was deleted.
 * `/run` is a tmpfs: owner files go at reboot with what they describe.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const INSTANCES_DIR = '/run/slipway/instances';

export interface InstanceOwner {
  id: string;
  pid: number;
  /** The process's start time (field 22 of /proc/<pid>/stat): tells a reused pid apart. */
  startTime: string;
  dataDir: string;
  bridge: string | null;
  subnet: string | null;
  routerPort: number | null;
  startedAt: string;
}

export function isInstanceId(s: string): boolean {
  return /^[0-9a-f]{8}$/.test(s);
}

/** The data dir's instance id, made at first start. */
export async function loadInstanceId(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'instance-id');
  const saved = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (isInstanceId(saved)) return saved;
  const id = randomBytes(4).toString('hex');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFile(file, id + '\n', { mode: 0o600 });
  return id;
}

/** The data dir's instance id if it has one (no file made). */
export async function readInstanceId(dataDir: string): Promise<string | null> {
  const saved = (await readFile(path.join(dataDir, 'instance-id'), 'utf8').catch(() => '')).trim();
  return isInstanceId(saved) ? saved : null;
}

export async function processStartTime(pid: number): Promise<string | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (stat === null) return null;
  // comm (field 2) may hold spaces and parentheses: count fields after the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
}

export async function writeOwner(owner: Omit<InstanceOwner, 'pid' | 'startTime' | 'startedAt'>, dir = INSTANCES_DIR): Promise<InstanceOwner> {
  const full: InstanceOwner = { ...owner, pid: process.pid, startTime: (await processStartTime(process.pid)) ?? '', startedAt: new Date().toISOString() };
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.${owner.id}.${process.pid}.tmp`);
  await writeFile(tmp, JSON.stringify(full));
  await rename(tmp, path.join(dir, `${owner.id}.json`));
  return full;
}

export async function removeOwner(id: string, dir = INSTANCES_DIR): Promise<void> {
  await rm(path.join(dir, `${id}.json`), { force: true });
}

export async function readOwners(dir = INSTANCES_DIR): Promise<InstanceOwner[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: InstanceOwner[] = [];
  for (const n of names) {
    if (!/^[0-9a-f]{8}\.json$/.test(n)) continue;
    try {
      out.push(JSON.parse(await readFile(path.join(dir, n), 'utf8')) as InstanceOwner);
    } catch {
      // half-written or removed meanwhile
    }
  }
  return out;
}

/** True while the owner's platform process runs (same pid, same start time). */
export async function ownerAlive(o: InstanceOwner): Promise<boolean> {
  const st = await processStartTime(o.pid);
  return st !== null && st === o.startTime;
}

/** Ids of the instances whose platform process runs. */
export async function liveInstances(dir = INSTANCES_DIR): Promise<Set<string>> {
  const live = new Set<string>();
  for (const o of await readOwners(dir)) if (await ownerAlive(o)) live.add(o.id);
  return live;
}
