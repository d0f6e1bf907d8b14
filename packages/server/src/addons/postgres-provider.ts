/**
 * The `heroku-postgresql` provider. Shared plans: a database and a login role per add-on on the
 * shared cluster (`<data>/addons/postgres/shared`), CONNECT revoked from PUBLIC so one add-on's
 * role cannot open another's database, the plan's connection limit on the role. Dedicated plans:
 * a cluster per add-on (`<data>/addons/postgres/<addon>`) with the plan's max_connections and
 * shared_buffers. Names and passwords are random; each database is marked
 * (`COMMENT … 'slipway-addon:<name>'`) so `prune` removes only what Slipway made.
 */
import { randomBytes } from 'node:crypto';
import { readdir, rmdir } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { InvalidParamsError } from '../errors.js';
import type { Logger } from '../log/index.js';
import { createPgCluster, type PgCluster } from './pg-cluster.js';
import { createExternalCluster, externalHost } from './pg-external.js';
import type { RunAs } from './pg-exec.js';
import { POSTGRES_SERVICE, sharedBuffersMb } from './postgres-plans.js';
import type { AddonHandle, InfoRow, PlanSpec, Provider, Provisioned, StepHook } from './provider.js';

export const MARK = 'slipway-addon:';
const SHARED = 'shared';
/** The shared cluster's max_connections: room for every shared plan's limit on a small host. */
const SHARED_MAX_CONNECTIONS = 200;

export interface PostgresProviderOptions {
  /** `<data>/addons/postgres` */
  home: string;
  bin: string;
  runAs?: RunAs;
  runDir?: string;
  /** The host in DATABASE_URL. */
  host: string;
  /** Addresses the servers listen on (`*`: all, for a bridge that may come and go). */
  listen: readonly string[];
  /** Networks whose TLS clients may log in (default any). */
  allow?: readonly string[];
  logger: Logger;
  step?: StepHook;
  /** An operator's server for the shared plans (admin URL) instead of Slipway's shared cluster. */
  externalAdminUrl?: string;
}

export interface PgState extends Record<string, unknown> {
  cluster: string;
  database: string;
  user: string;
  port: number;
  host: string;
}

export interface PostgresProvider extends Provider {
  /** The cluster an add-on lives on (started). */
  clusterOf(addon: AddonHandle): Promise<PgCluster>;
  /** Drops and recreates the add-on's database, empty, with the same owner. */
  reset(addon: AddonHandle): Promise<void>;
}

const hex = (n: number) => randomBytes(n).toString('hex');
const ident = (c: pg.Client, s: string) => c.escapeIdentifier(s);
const literal = (c: pg.Client, s: string) => c.escapeLiteral(s);

export function createPostgresProvider(opts: PostgresProviderOptions): PostgresProvider {
  const clusters = new Map<string, PgCluster>();
  const step = opts.step ?? (() => undefined);
  const host = opts.host;

  const external = opts.externalAdminUrl ? createExternalCluster(opts.externalAdminUrl) : undefined;

  function clusterFor(name: string, plan?: PlanSpec): PgCluster {
    if (name === SHARED && external) return external;
    let c = clusters.get(name);
    if (!c) {
      c = createPgCluster({
        name: name === SHARED ? 'pg-shared' : `pg-${name}`, home: path.join(opts.home, name), bin: opts.bin, runAs: opts.runAs, runDir: opts.runDir,
        listen: opts.listen, allow: opts.allow, maxConnections: plan?.limits.dedicated ? (plan.limits.connections ?? 100) : SHARED_MAX_CONNECTIONS,
        sharedBuffersMb: plan ? sharedBuffersMb(plan) : undefined, logger: opts.logger,
      });
      clusters.set(name, c);
    }
    return c;
  }

  async function withAdmin<T>(c: PgCluster, fn: (client: pg.Client) => Promise<T>, database?: string): Promise<T> {
    const client = await c.admin(database);
    try {
      return await fn(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  const url = (s: PgState, password: string) => `postgres://${s.user}:${password}@${s.host}:${s.port}/${s.database}`;
  const stateOf = (addon: AddonHandle) => addon.state as PgState;

  async function dropDatabase(c: pg.Client, database: string, user: string): Promise<void> {
    await c.query(`DROP DATABASE IF EXISTS ${ident(c, database)} WITH (FORCE)`);
    await c.query(`DROP ROLE IF EXISTS ${ident(c, user)}`);
  }

  async function createDatabase(c: pg.Client, s: PgState, addonName: string): Promise<void> {
    await c.query(`CREATE DATABASE ${ident(c, s.database)} OWNER ${ident(c, s.user)}`);
    await c.query(`REVOKE CONNECT, TEMPORARY ON DATABASE ${ident(c, s.database)} FROM PUBLIC`);
    await c.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${ident(c, s.database)} TO ${ident(c, s.user)}`);
    await c.query(`COMMENT ON DATABASE ${ident(c, s.database)} IS ${literal(c, MARK + addonName)}`);
  }

  const provider: PostgresProvider = {
    service: POSTGRES_SERVICE,
    // Servers start when an add-on needs them: a platform without Postgres add-ons runs no server.
    async start(addons) {
      for (const a of addons) {
        const s = stateOf(a);
        if (s.cluster) await clusterFor(s.cluster, a.plan).ensure();
      }
    },
    async stop(mode) {
      if (mode === 'control-plane') return;
      for (const c of clusters.values()) if (c !== external) await c.release();
      // the instance's mount dir under /run, once empty
      if (opts.runDir) await rmdir(opts.runDir).catch(() => undefined);
    },
    async provision(req): Promise<Provisioned> {
      const version = req.options.version;
      if (version !== undefined && String(version) !== '15') throw new InvalidParamsError(`PostgreSQL ${String(version)} is not available here; this platform runs PostgreSQL 15.`, 'config.version');
      const dedicated = req.plan.limits.dedicated;
      const c = dedicated ? clusterFor(req.name, req.plan) : clusterFor(SHARED);
      if (!dedicated) await c.ensure();
      const made: string[] = [];
      const s: PgState = { cluster: dedicated ? req.name : SHARED, database: `d${hex(7)}`, user: `u${hex(7)}`, port: 0, host: !dedicated && opts.externalAdminUrl ? externalHost(opts.externalAdminUrl) : host };
      try {
        if (dedicated) {
          step('cluster');
          made.push('cluster');
          await c.ensure();
        }
        s.port = c.port();
        const password = hex(24);
        await withAdmin(c, async (client) => {
          step('role');
          made.push('role');
          await client.query(`CREATE ROLE ${ident(client, s.user)} LOGIN PASSWORD ${literal(client, password)} CONNECTION LIMIT ${req.plan.limits.connections ?? 20}`);
          step('database');
          await createDatabase(client, s, req.name);
          step('grant');
        });
        return { state: s, config: { URL: url(s, password) } };
      } catch (err) {
        opts.logger.warn('addons.pg_provision_undo', { addon: req.name, made: made.join(','), error: String(err) });
        if (made.includes('cluster')) {
          await c.destroy();
          clusters.delete(req.name);
        } else if (made.includes('role')) {
          await withAdmin(c, (client) => dropDatabase(client, s.database, s.user))
            .catch((e) => opts.logger.error('addons.pg_undo_failed', { addon: req.name, error: String(e) }));
        }
        throw err;
      }
    },
    // an operator's server is reached over the operator's network, not a port of this host
    hostPorts: (addon) => (stateOf(addon).port && !(external && stateOf(addon).cluster === SHARED) ? [stateOf(addon).port] : []),
    async bind() {},
    async unbind() {},
    async deprovision(addon) {
      const s = stateOf(addon);
      if (!s.cluster) return;
      if (s.cluster !== SHARED) {
        await clusterFor(s.cluster, addon.plan).destroy();
        clusters.delete(s.cluster);
        return;
      }
      await withAdmin(await provider.clusterOf(addon), (client) => dropDatabase(client, s.database, s.user));
    },
    async info(addon): Promise<InfoRow[]> {
      const s = stateOf(addon);
      const c = await provider.clusterOf(addon);
      const row = await withAdmin(c, async (client) => (await client.query(
        `SELECT current_setting('server_version') AS version,
           (SELECT count(*) FROM pg_stat_activity WHERE datname = $1)::int AS connections,
           pg_size_pretty(pg_database_size($1)) AS size`, [s.database])).rows[0]);
      return [
        { name: 'Plan', values: [addon.plan.humanName] },
        { name: 'Status', values: ['Available'] },
        { name: 'Connections', values: [`${row.connections}/${addon.plan.limits.connections ?? 20}`] },
        { name: 'PG Version', values: [String(row.version).split(' ')[0]] },
        { name: 'Data Size', values: [String(row.size)] },
        { name: 'Server', values: [addon.plan.limits.dedicated ? 'Dedicated' : 'Shared'] },
        { name: 'Fork/Follow', values: ['Unsupported'] },
        { name: 'Rollback', values: ['Unsupported'] },
        { name: 'Continuous Protection', values: ['Off'] },
      ];
    },
    async rotateCredentials(addon) {
      const s = stateOf(addon);
      const password = hex(24);
      await withAdmin(await provider.clusterOf(addon), async (client) => {
        await client.query(`ALTER ROLE ${ident(client, s.user)} PASSWORD ${literal(client, password)}`);
        await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [s.user]);
      });
      return { state: s, config: { URL: url(s, password) } };
    },
    async prune(live) {
      const keep = new Set(live.map((a) => a.name));
      const removed: string[] = [];
      const shared = clusterFor(SHARED);
      if (shared.exists()) await shared.ensure();
      if (shared.exists()) await withAdmin(shared, async (client) => {
        const rows = await client.query("SELECT d.datname, r.rolname, shobj_description(d.oid, 'pg_database') AS mark FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE shobj_description(d.oid, 'pg_database') LIKE $1", [MARK + '%']);
        for (const r of rows.rows) {
          const name = String(r.mark).slice(MARK.length);
          if (keep.has(name)) continue;
          await dropDatabase(client, r.datname, r.rolname);
          removed.push(name);
        }
      });
      // dedicated clusters: every directory but the shared one belongs to one add-on
      for (const name of await readdir(opts.home).catch(() => [] as string[])) {
        if (name === SHARED || keep.has(name)) continue;
        await clusterFor(name).destroy();
        clusters.delete(name);
        removed.push(name);
      }
      return removed;
    },
    async clusterOf(addon) {
      const s = stateOf(addon);
      const c = clusterFor(s.cluster, addon.plan);
      await c.ensure();
      return c;
    },
    async reset(addon) {
      const s = stateOf(addon);
      await withAdmin(await provider.clusterOf(addon), async (client) => {
        await client.query(`DROP DATABASE IF EXISTS ${ident(client, s.database)} WITH (FORCE)`);
        await createDatabase(client, s, addon.name);
      });
    },
  };
  return provider;
}
