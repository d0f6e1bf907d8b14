/**
 * `pg:backups` for heroku-postgresql: transfers (Heroku's word for captures and restores), numbered
 * per app, run with pg_dump/pg_restore in the background and kept under the data dir
 * (`<dir>/<app id>/b001.dump`, with `<dir>/<app id>/transfers.json` as the index). A restore takes
 * a backup this platform made (its signed URL), never an arbitrary URL.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log/index.js';
import { NotFoundError } from '../errors.js';
import { ADMIN_USER } from './pg-cluster.js';
import { runTool } from './pg-exec.js';
import type { PgState, PostgresProvider } from './postgres-provider.js';
import type { AddonHandle } from './provider.js';

export interface Transfer {
  uuid: string;
  num: number;
  from_type: 'pg_dump' | 'gof3r';
  to_type: 'gof3r' | 'pg_restore';
  from_name: string;
  to_name: string;
  addon_id: string;
  /** Backups: where the CLI's restore and download find it (a signed URL of this platform). */
  to_url: string | null;
  from_url: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
  succeeded: boolean;
  processed_bytes: number;
  source_bytes: number;
  warnings: number;
  logs: { created_at: string; message: string }[];
  /** The dump file, relative to the app's backup dir (backups only). */
  file: string | null;
}

export interface PgBackupsDeps {
  dir: string;
  bin: string;
  provider: PostgresProvider;
  logger: Logger;
  /** The public URL of an app's backup (signed). */
  backupUrl: (appId: string, num: number) => string;
}

export function createPgBackups(deps: PgBackupsDeps) {
  const jobs = new Set<Promise<void>>();
  const locks = new Map<string, Promise<unknown>>();
  const appDir = (appId: string) => path.join(deps.dir, appId);
  const indexFile = (appId: string) => path.join(appDir(appId), 'transfers.json');
  const now = () => new Date().toISOString();

  async function list(appId: string): Promise<Transfer[]> {
    try {
      return JSON.parse(await readFile(indexFile(appId), 'utf8')) as Transfer[];
    } catch {
      return [];
    }
  }

  /** Read-modify-write of an app's index, one at a time per app. */
  function update<T>(appId: string, fn: (all: Transfer[]) => T): Promise<T> {
    const run = (locks.get(appId) ?? Promise.resolve()).catch(() => undefined).then(async () => {
      const all = await list(appId);
      const out = fn(all);
      await mkdir(appDir(appId), { recursive: true, mode: 0o700 });
      const tmp = indexFile(appId) + '.tmp';
      await writeFile(tmp, JSON.stringify(all, null, 1), { mode: 0o600 });
      await rename(tmp, indexFile(appId));
      return out;
    });
    locks.set(appId, run);
    return run;
  }

  const patch = (appId: string, uuid: string, p: Partial<Transfer>) => update(appId, (all) => {
    const t = all.find((x) => x.uuid === uuid);
    if (t) Object.assign(t, p, { updated_at: now() });
  });

  function own(job: Promise<void>): void {
    jobs.add(job);
    void job.finally(() => jobs.delete(job));
  }

  async function toolEnv(addon: AddonHandle): Promise<{ env: Record<string, string>; s: PgState }> {
    const cluster = await deps.provider.clusterOf(addon);
    const u = new URL(cluster.adminUrl());
    return { s: addon.state as PgState, env: { PGHOST: u.hostname, PGPORT: u.port, PGUSER: ADMIN_USER, PGPASSWORD: decodeURIComponent(u.password) } };
  }

  async function run(appId: string, t: Transfer, work: () => Promise<number>): Promise<void> {
    await patch(appId, t.uuid, { started_at: now() });
    try {
      const bytes = await work();
      await patch(appId, t.uuid, { finished_at: now(), succeeded: true, processed_bytes: bytes, source_bytes: bytes, logs: [...t.logs, { created_at: now(), message: 'finished' }] });
    } catch (err) {
      deps.logger.error('addons.pg_transfer_failed', { transfer: t.uuid, error: String(err) });
      await patch(appId, t.uuid, { finished_at: now(), succeeded: false, logs: [...t.logs, { created_at: now(), message: String(err).slice(0, 2000) }] });
    }
  }

  async function newTransfer(appId: string, fields: Omit<Transfer, 'uuid' | 'num' | 'created_at' | 'updated_at' | 'started_at' | 'finished_at' | 'succeeded' | 'processed_bytes' | 'source_bytes' | 'warnings' | 'logs'>): Promise<Transfer> {
    return update(appId, (all) => {
      const t: Transfer = {
        ...fields, uuid: randomUUID(), num: all.reduce((m, x) => Math.max(m, x.num), 0) + 1, created_at: now(), updated_at: now(),
        started_at: null, finished_at: null, succeeded: false, processed_bytes: 0, source_bytes: 0, warnings: 0, logs: [],
      };
      if (t.to_type === 'gof3r') {
        t.file = `b${String(t.num).padStart(3, '0')}.dump`;
        t.to_url = deps.backupUrl(appId, t.num);
      }
      all.push(t);
      return t;
    });
  }

  /** `pg:backups:capture`: pg_dump -Fc of the add-on's database. */
  async function capture(appId: string, addon: AddonHandle, fromName: string): Promise<Transfer> {
    const t = await newTransfer(appId, { from_type: 'pg_dump', to_type: 'gof3r', from_name: fromName, to_name: 'BACKUP', addon_id: addon.id, to_url: null, from_url: null, file: null });
    own(run(appId, t, async () => {
      const { env, s } = await toolEnv(addon);
      const file = path.join(appDir(appId), t.file!);
      await runTool(path.join(deps.bin, 'pg_dump'), ['-Fc', '--no-owner', '--no-acl', '-f', file, '-d', s.database], { env, timeoutMs: 6 * 3_600_000 });
      return (await stat(file)).size;
    }));
    return t;
  }

  /** `pg:backups:restore`: pg_restore of one of this platform's backups into the add-on's database, as its role. */
  async function restore(appId: string, addon: AddonHandle, toName: string, backup: { appId: string; num: number }): Promise<Transfer> {
    const source = (await list(backup.appId)).find((x) => x.num === backup.num && x.to_type === 'gof3r' && x.succeeded && x.file);
    if (!source) throw new NotFoundError('backup', `Backup b${String(backup.num).padStart(3, '0')} not found.`);
    const t = await newTransfer(appId, { from_type: 'gof3r', to_type: 'pg_restore', from_name: source.to_url ?? 'BACKUP', to_name: toName, addon_id: addon.id, to_url: null, from_url: source.to_url, file: null });
    own(run(appId, t, async () => {
      const { env, s } = await toolEnv(addon);
      const file = path.join(appDir(backup.appId), source.file!);
      await runTool(path.join(deps.bin, 'pg_restore'), ['--no-owner', '--no-acl', '--clean', '--if-exists', `--role=${s.user}`, '-d', s.database, file], { env, timeoutMs: 6 * 3_600_000 });
      return (await stat(file)).size;
    }));
    return t;
  }

  /** The dump file of a finished backup, for the signed download URL. */
  async function backupFile(appId: string, num: number): Promise<string | undefined> {
    const t = (await list(appId)).find((x) => x.num === num && x.to_type === 'gof3r' && x.succeeded && x.file);
    return t ? path.join(appDir(appId), t.file!) : undefined;
  }

  /** Removes an app's backups (its add-on was destroyed with the app). */
  async function removeApp(appId: string): Promise<void> {
    await rm(appDir(appId), { recursive: true, force: true });
  }

  async function stop(): Promise<void> {
    await Promise.all([...jobs]);
  }

  return { list, capture, restore, backupFile, removeApp, stop };
}

export type PgBackups = ReturnType<typeof createPgBackups>;
