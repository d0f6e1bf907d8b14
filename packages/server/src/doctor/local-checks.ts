/**
 * Checks of this platform's own settings: its ports are free (or held by this data dir's running
 * platform), the data dir is writable and its git hooks cannot be broken by the Node package scope
 * it sits in, the TLS certificate can be made (openssl) and is valid, the store is reachable.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { certificateProblem } from '../api/tls/index.js';
import { internalApiUrl, ROUTER_PID_FILE } from '../router/index.js';
import { storeTarget } from '../store/index.js';
import { installFix, versionOf } from './host-checks.js';
import type { CheckResult, DoctorInput } from './types.js';

/** Resolves to null when `port` can be bound on `host`, else the error code (EADDRINUSE, EACCES…). */
export function bindError(port: number, host: string): Promise<string | null> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(null)));
  });
}

/** Whether this data dir's platform answers on the API port (its internal token opens the route feed). */
async function ownApiListening(input: DoctorInput): Promise<boolean> {
  let token: string;
  try {
    token = (await readFile(path.join(input.config.dataDir, 'internal-token'), 'utf8')).trim();
  } catch {
    return false;
  }
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 3_000);
  try {
    const res = await fetch(`${internalApiUrl(input.config)}/internal/router/routes`, { headers: { authorization: `Bearer ${token}` }, signal: ac.signal });
    ac.abort();
    return res.status === 200;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** The pid in `<data>/router.pid` when that process is alive. */
async function ownRouterPid(input: DoctorInput): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(path.join(input.config.dataDir, ROUTER_PID_FILE), 'utf8')).trim());
    if (!Number.isInteger(pid) || pid <= 1) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

export async function portChecks(input: DoctorInput): Promise<CheckResult[]> {
  const { config } = input;
  const ports: { role: string; port: number; env: string }[] = [
    { role: 'api', port: config.apiPort, env: 'SLIPWAY_API_PORT' },
    { role: 'router', port: config.routerPort, env: 'SLIPWAY_ROUTER_PORT' },
    { role: 'rendezvous', port: config.rendezvousPort, env: 'SLIPWAY_RENDEZVOUS_PORT' },
  ];
  const apiOurs = ownApiListening(input);
  const routerPid = ownRouterPid(input);
  const out: CheckResult[] = [];
  for (const { role, port, env } of ports) {
    const name = `port ${role}`;
    if (port === 0) {
      out.push({ name, status: 'ok', detail: `any free port (${env}=0)` });
      continue;
    }
    const err = await bindError(port, config.listenHost);
    if (err === null) {
      out.push({ name, status: 'ok', detail: `${config.listenHost}:${port} is free` });
      continue;
    }
    if (err === 'EADDRINUSE') {
      const pid = role === 'router' ? await routerPid : undefined;
      if (pid !== undefined) out.push({ name, status: 'ok', detail: `${port} is held by this data dir's router process (pid ${pid})` });
      else if (role !== 'router' && (await apiOurs)) out.push({ name, status: 'ok', detail: `${port} is held by this data dir's running platform` });
      else out.push({ name, status: 'fail', detail: `${config.listenHost}:${port} is in use by another process`, fix: `stop that process (ss -ltnp 'sport = :${port}' shows it) or set ${env} to a free port` });
      continue;
    }
    out.push({ name, status: 'fail', detail: `cannot listen on ${config.listenHost}:${port}: ${err}`, fix: `set ${env} to a port this user may bind (or SLIPWAY_LISTEN_HOST)` });
  }
  return out;
}

/** The nearest package.json above `dir` and whether it makes `.js` files ES modules. */
export async function packageScope(dir: string): Promise<{ file: string; module: boolean } | undefined> {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const file = path.join(d, 'package.json');
    if (existsSync(file)) {
      try {
        return { file, module: (JSON.parse(await readFile(file, 'utf8')) as { type?: string }).type === 'module' };
      } catch {
        return { file, module: false };
      }
    }
    if (path.dirname(d) === d) return undefined;
  }
}

/** App repos whose pre-receive hook is an old node script (breaks under a "type": "module" scope). */
async function oldHooks(dataDir: string): Promise<string[]> {
  const repos = path.join(dataDir, 'repos');
  const names = await readdir(repos).catch(() => [] as string[]);
  const old: string[] = [];
  for (const n of names) {
    const head = await readFile(path.join(repos, n, 'hooks', 'pre-receive'), 'utf8').catch(() => '');
    if (head !== '' && !head.startsWith('#!/bin/sh')) old.push(n);
  }
  return old;
}

export async function dataDirCheck(input: DoctorInput): Promise<CheckResult> {
  const name = 'data dir';
  const dir = path.resolve(input.config.dataDir);
  const probe = path.join(dir, `.doctor-${randomBytes(4).toString('hex')}`);
  // Made here when missing (and removed again): doctor leaves no data dir behind.
  const made = existsSync(dir) ? undefined : dir;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(probe, 'ok\n');
    await rm(probe, { force: true });
    if (made) await rm(made, { recursive: true, force: true });
  } catch (err) {
    return { name, status: 'fail', detail: `${dir} is not writable: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, fix: 'set SLIPWAY_DATA_DIR to a directory this user can write, or fix its owner/permissions' };
  }
  const scope = await packageScope(dir);
  const old = await oldHooks(dir);
  const where = `${made ? 'can be created' : 'writable'}${scope?.module ? `, inside the ES module package scope of ${scope.file} (fine: Slipway's hooks are .cjs)` : ''}`;
  if (old.length > 0) {
    return {
      name, status: scope?.module ? 'fail' : 'warn',
      detail: `${dir}: ${old.length} app repo(s) still have the old node-script pre-receive hook${scope?.module ? `, which ${scope.file} ("type": "module") breaks` : ''}`,
      fix: 'start the platform once: it rewrites every repo\'s hook when the app is next pushed',
    };
  }
  return { name, status: 'ok', detail: `${dir} ${where}` };
}

export async function tlsCheck(input: DoctorInput): Promise<CheckResult> {
  const name = 'tls';
  const v = await versionOf(input.binaries.openssl, ['version']);
  const tlsDir = path.join(input.config.dataDir, 'tls');
  const [key, cert] = await Promise.all([readFile(path.join(tlsDir, 'key.pem'), 'utf8').catch(() => ''), readFile(path.join(tlsDir, 'cert.pem'), 'utf8').catch(() => '')]);
  if (key !== '' && cert !== '') {
    const problem = certificateProblem(key, cert, input.config.domain, input.now);
    if (problem === undefined) return { name, status: 'ok', detail: `${path.join(tlsDir, 'cert.pem')} is valid${'version' in v ? ` (${v.version})` : ''}` };
    if ('error' in v) return { name, status: 'fail', detail: `the certificate needs renewing (${problem}) and ${v.error}`, fix: installFix('openssl') };
    return { name, status: 'warn', detail: `the certificate is renewed at the next start: ${problem}` };
  }
  if ('error' in v) return { name, status: 'fail', detail: `no certificate yet and ${v.error}: no HTTPS on the API port (heroku git remotes, heroku run)`, fix: installFix('openssl') };
  return { name, status: 'ok', detail: `${v.version}; the certificate is made at the first start` };
}

export async function storeCheck(input: DoctorInput): Promise<CheckResult> {
  const name = 'store';
  let target;
  try {
    target = storeTarget(input.config.databaseUrl, input.config.dataDir);
  } catch (err) {
    return { name, status: 'fail', detail: (err as Error).message, fix: 'fix SLIPWAY_DATABASE_URL' };
  }
  if (target.kind === 'postgres') {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: target.url, connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
      const r = await client.query<{ v: string }>('SHOW server_version');
      return { name, status: 'ok', detail: `PostgreSQL ${r.rows[0]?.v ?? ''} reachable` };
    } catch (err) {
      return { name, status: 'fail', detail: `PostgreSQL unreachable: ${(err as Error).message}`, fix: 'start PostgreSQL or fix SLIPWAY_DATABASE_URL' };
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  if (target.file === ':memory:') return { name, status: 'ok', detail: 'in-memory SQLite' };
  if (!existsSync(target.file)) return { name, status: 'ok', detail: `SQLite ${target.file} is created at the first start` };
  const { default: Database } = await import('better-sqlite3');
  try {
    const db = new Database(target.file, { readonly: true, fileMustExist: true, timeout: 5_000 });
    try {
      const row = db.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number };
      return { name, status: 'ok', detail: `SQLite ${target.file} (${row.n} schema objects)` };
    } finally {
      db.close();
    }
  } catch (err) {
    return { name, status: 'fail', detail: `SQLite ${target.file} cannot be read: ${(err as Error).message}`, fix: 'restore the file from a backup, or move it away to start afresh' };
  }
}
