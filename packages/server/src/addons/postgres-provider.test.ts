/**
 * The provider contract on the real `heroku-postgresql` provider: Debian's PostgreSQL server
 * binaries, a shared cluster initdb'd in a temp dir (and one dedicated cluster for `standard-0`),
 * clients connecting with the published URLs. As root the servers run as `postgres` with PGDATA
 * bind-mounted under a private /run dir.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { silentLogger } from '../log/index.js';
import { createPgCluster } from './pg-cluster.js';
import { findPgBin } from './pg-exec.js';
import { createPostgresProvider, MARK } from './postgres-provider.js';
import { runProviderContract, type ProviderSubject } from './provider.case.js';

const bin = findPgBin();
const isRoot = process.getuid?.() === 0;
const runAs = isRoot ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) } : undefined;
const skip = bin === '' ? 'no PostgreSQL server binaries (apt-get install postgresql)' : undefined;

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}

async function subject(opts: { external?: boolean } = {}): Promise<ProviderSubject> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'slipway-pg-provider-'));
  const runDir = `/run/slipway-test/pg-${process.pid}-${path.basename(home)}`;
  let failing: string | undefined;
  // the operator's server: a scram cluster of its own, outside the provider's home
  const operator = opts.external ? createPgCluster({ name: `op-${path.basename(home)}`, home: `${home}-operator`, bin, runAs, runDir, listen: ['127.0.0.1'], maxConnections: 100, logger: silentLogger }) : undefined;
  await operator?.ensure();
  const provider = createPostgresProvider({
    home, bin, runAs, runDir, host: '127.0.0.1', listen: ['127.0.0.1'], logger: silentLogger, externalAdminUrl: operator?.adminUrl(),
    step: (s) => {
      if (s === failing) throw new Error(`injected failure at ${s}`);
    },
  });
  const adminUrl = async () => (await provider.clusterOf({ id: 'x', name: 'shared', plan: provider.service.plans[0], state: { cluster: 'shared' } })).adminUrl();
  return {
    provider,
    canConnect: async (config) => {
      try {
        await query(config.URL, 'SELECT 1');
        // and over TLS, as a dyno or pg:psql on another host connects
        const u = new URL(config.URL);
        const c = new pg.Client({ host: u.hostname, port: Number(u.port), user: u.username, password: decodeURIComponent(u.password), database: u.pathname.slice(1), ssl: { rejectUnauthorized: false } });
        await c.connect();
        await c.end();
        return true;
      } catch {
        return false;
      }
    },
    roundTrip: async (config, value) => {
      await query(config.URL, 'CREATE TABLE IF NOT EXISTS marker (v text)');
      await query(config.URL, 'INSERT INTO marker (v) VALUES ($1)', [value]);
      return (await query<{ v: string }>(config.URL, 'SELECT v FROM marker WHERE v = $1', [value]))[0]?.v;
    },
    leftovers: async () => {
      const dbs = await query<{ mark: string }>(await adminUrl(), "SELECT shobj_description(oid, 'pg_database') AS mark FROM pg_database WHERE shobj_description(oid, 'pg_database') LIKE $1", [MARK + '%']);
      const roles = await query<{ rolname: string }>(await adminUrl(), "SELECT rolname FROM pg_roles WHERE rolname ~ '^u[0-9a-f]{14}$'");
      const dirs = (await readdir(home)).filter((d) => d !== 'shared');
      return [...dbs.map((d) => d.mark), ...roles.map((r) => `role:${r.rolname}`), ...dirs.map((d) => `dir:${d}`)].sort();
    },
    steps: ['role', 'database', 'grant'],
    failAt: (s) => {
      failing = s;
    },
    close: async () => {
      await operator?.destroy();
      await rm(home, { recursive: true, force: true });
      await rm(runDir, { recursive: true, force: true });
    },
  };
}

runProviderContract('heroku-postgresql', () => subject(), { skip, plans: ['essential-0', 'standard-0'] });
runProviderContract('heroku-postgresql on an operator-provided server (SLIPWAY_ADDONS_POSTGRES_URL)', () => subject({ external: true }), { skip });
