/**
 * One PostgreSQL cluster that Slipway initdb's, starts, re-adopts and supervises: the shared server
 * of the small plans, or the own server of a large plan's add-on.
 *
 * Layout: `<home>/cluster.json` (port, admin password; root only) and `<home>/data` (PGDATA,
 * owned by the server's uid). The server never runs as root: as root it runs as `runAs`
 * (Debian's `postgres`), and since the data dir's ancestors are private to root, PGDATA is
 * bind-mounted at `<runDir>/<name>` (under /run) where that uid can reach it. pg_ctl starts the
 * server in its own session: it outlives a platform that is SIGKILLed, and the next start adopts
 * it (`pg_ctl status`). TLS with a self-signed certificate (openssl); `scram-sha-256` passwords;
 * plain TCP only from 127.0.0.1.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../log/index.js';
import { runTool, type RunAs } from './pg-exec.js';

export const ADMIN_USER = 'slipway';
/** Seconds pg_ctl waits for the server to accept connections. */
const START_TIMEOUT_S = 60;
/** Ports a new cluster tries when the one it chose was taken before the server bound it. */
const PORT_TRIES = 3;

export interface PgClusterOptions {
  name: string;
  home: string;
  bin: string;
  runAs?: RunAs;
  /** Where PGDATA is bind-mounted for `runAs` (required with runAs). */
  runDir?: string;
  /** Addresses to listen on (127.0.0.1 is always added: the platform connects there); `*` for all. */
  listen: readonly string[];
  /** Networks (CIDR) whose TLS clients may log in with a password; default any. Loopback always may. */
  allow?: readonly string[];
  maxConnections: number;
  sharedBuffersMb?: number;
  logger: Logger;
}

interface Saved {
  port: number;
  adminPassword: string;
}

export interface PgCluster {
  readonly name: string;
  readonly home: string;
  /** initdb when new, then start or adopt the server. */
  ensure(): Promise<void>;
  /** Whether initdb has run (the cluster exists on disk). */
  exists(): boolean;
  port(): number;
  /** A client connected as the cluster's admin (the caller ends it). */
  admin(database?: string): Promise<pg.Client>;
  adminUrl(database?: string): string;
  running(): Promise<boolean>;
  stop(): Promise<void>;
  /** Stops the server and takes its mount away; the data stays for the next `ensure`. */
  release(): Promise<void>;
  /** Stops the server and removes its data and mount. */
  destroy(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function isMountPoint(p: string): Promise<boolean> {
  const info = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  return info.split('\n').some((l) => l.split(' ')[4] === p);
}

export function createPgCluster(opts: PgClusterOptions): PgCluster {
  const dataDir = path.join(opts.home, 'data');
  const savedFile = path.join(opts.home, 'cluster.json');
  const pgdata = opts.runAs ? path.join(opts.runDir ?? '/run/slipway-addons', opts.name) : dataDir;
  const tool = (name: string) => path.join(opts.bin, name);
  const asServer = { runAs: opts.runAs };
  let saved: Saved | undefined;

  async function load(): Promise<Saved | undefined> {
    try {
      return JSON.parse(await readFile(savedFile, 'utf8')) as Saved;
    } catch {
      return undefined;
    }
  }

  async function mountData(): Promise<void> {
    if (!opts.runAs) return;
    await mkdir(pgdata, { recursive: true, mode: 0o755 });
    if (await isMountPoint(pgdata)) {
      // a mount left by a killed platform whose data dir was since replaced: not ours any more
      const [a, b] = await Promise.all([stat(dataDir), stat(pgdata)]);
      if (a.ino === b.ino && a.dev === b.dev) return;
      await runTool('/usr/bin/umount', [pgdata]);
    }
    await runTool('/usr/bin/mount', ['--bind', dataDir, pgdata]);
  }

  async function unmountData(): Promise<void> {
    if (!opts.runAs) return;
    if (await isMountPoint(pgdata)) await runTool('/usr/bin/umount', [pgdata]);
    await rm(pgdata, { recursive: true, force: true });
  }

  async function initdb(): Promise<Saved> {
    const fresh: Saved = { port: await freePort(), adminPassword: randomBytes(24).toString('hex') };
    // cluster.json is written last: without it, whatever is there is a failed initdb's leftovers
    await unmountData();
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    if (opts.runAs) await chown(dataDir, opts.runAs.uid, opts.runAs.gid);
    await mountData();
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'slipway-pg-'));
    try {
      const pwfile = path.join(tmp, 'pw');
      await writeFile(pwfile, fresh.adminPassword + '\n', { mode: 0o600 });
      if (opts.runAs) {
        await chown(tmp, opts.runAs.uid, opts.runAs.gid);
        await chown(pwfile, opts.runAs.uid, opts.runAs.gid);
      }
      await runTool(tool('initdb'), ['-D', pgdata, '-U', ADMIN_USER, '--pwfile', pwfile, '-A', 'scram-sha-256', '-E', 'UTF8', '--locale', 'C.UTF-8', '--no-instructions'], asServer);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    const key = path.join(dataDir, 'server.key');
    const crt = path.join(dataDir, 'server.crt');
    await runTool('/usr/bin/openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '3650', '-subj', `/CN=slipway-postgres-${opts.name}`]);
    await chmod(key, 0o600);
    if (opts.runAs) for (const f of [key, crt]) await chown(f, opts.runAs.uid, opts.runAs.gid);
    const conf = path.join(dataDir, 'postgresql.conf');
    await writeFile(conf, (await readFile(conf, 'utf8')) + "\ninclude_if_exists = 'slipway.conf'\n");
    await mkdir(opts.home, { recursive: true, mode: 0o700 });
    await writeFile(savedFile, JSON.stringify(fresh) + '\n', { mode: 0o600 });
    return fresh;
  }

  async function writeSettings(s: Saved): Promise<void> {
    const lines = [
      '# Written by Slipway at every start; edit the plan, not this file.',
      `port = ${s.port}`,
      `listen_addresses = '${opts.listen.includes('*') ? '*' : [...new Set([...opts.listen, '127.0.0.1'])].join(',')}'`,
      "unix_socket_directories = ''",
      'ssl = on',
      "ssl_cert_file = 'server.crt'",
      "ssl_key_file = 'server.key'",
      `max_connections = ${opts.maxConnections}`,
      "password_encryption = 'scram-sha-256'",
      ...(opts.sharedBuffersMb ? [`shared_buffers = '${opts.sharedBuffersMb}MB'`] : []),
      '',
    ];
    const file = path.join(dataDir, 'slipway.conf');
    await writeFile(file, lines.join('\n'));
    const hba = path.join(dataDir, 'pg_hba.conf');
    await writeFile(hba, [
      '# Written by Slipway at every start: TLS for every other client (from the allowed networks only),',
      '# plain TCP from the host itself; scram passwords everywhere; nothing else gets in. `samehost`:',
      '# the host\'s own addresses, the source of `pg:psql` to a URL naming the bridge address.',
      'host    all all 127.0.0.1/32 scram-sha-256',
      'hostssl all all samehost scram-sha-256',
      ...(opts.allow ?? ['0.0.0.0/0']).map((cidr) => `hostssl all all ${cidr} scram-sha-256`),
      '',
    ].join('\n'));
    if (opts.runAs) for (const f of [file, hba]) await chown(f, opts.runAs.uid, opts.runAs.gid);
  }

  async function running(): Promise<boolean> {
    if (!existsSync(path.join(dataDir, 'postmaster.pid'))) return false;
    try {
      await runTool(tool('pg_ctl'), ['status', '-D', pgdata], asServer);
      return true;
    } catch {
      return false;
    }
  }

  const cluster: PgCluster = {
    name: opts.name,
    home: opts.home,
    async ensure() {
      const loaded = await load();
      saved = loaded ?? (await initdb());
      await mountData();
      if (await running()) {
        opts.logger.info('addons.pg_adopted', { cluster: opts.name, port: saved.port });
        return;
      }
      for (let attempt = 1; ; attempt++) {
        await writeSettings(saved);
        try {
          await runTool(tool('pg_ctl'), ['start', '-D', pgdata, '-l', path.join(pgdata, 'server.log'), '-w', '-t', String(START_TIMEOUT_S), '-s'], { ...asServer, detached: true });
          break;
        } catch (err) {
          // A new cluster's port, free when chosen, may have been taken since: choose again (an
          // existing cluster keeps its port: URLs given out name it).
          const log = await readFile(path.join(dataDir, 'server.log'), 'utf8').catch(() => '');
          if (loaded || attempt >= PORT_TRIES || !/could not bind|Address already in use/.test(log)) throw err;
          saved = { ...saved, port: await freePort() };
          await writeFile(savedFile, JSON.stringify(saved) + '\n', { mode: 0o600 });
        }
      }
      opts.logger.info('addons.pg_started', { cluster: opts.name, port: saved.port });
    },
    exists: () => existsSync(savedFile),
    port() {
      if (!saved) throw new Error(`cluster ${opts.name} not started`);
      return saved.port;
    },
    adminUrl(database = 'postgres') {
      if (!saved) throw new Error(`cluster ${opts.name} not started`);
      // the platform itself connects over loopback (plain TCP allowed there), whatever the public address
      return `postgres://${ADMIN_USER}:${saved.adminPassword}@127.0.0.1:${saved.port}/${encodeURIComponent(database)}`;
    },
    async admin(database) {
      const client = new pg.Client({ connectionString: cluster.adminUrl(database) });
      client.on('error', () => undefined);
      await client.connect();
      return client;
    },
    running,
    async stop() {
      if (await running()) await runTool(tool('pg_ctl'), ['stop', '-D', pgdata, '-m', 'fast', '-w', '-s'], asServer);
    },
    async release() {
      await cluster.stop();
      await unmountData();
    },
    async destroy() {
      await cluster.stop().catch((err) => opts.logger.warn('addons.pg_stop_failed', { cluster: opts.name, error: String(err) }));
      await unmountData();
      await rm(opts.home, { recursive: true, force: true });
    },
  };
  return cluster;
}
