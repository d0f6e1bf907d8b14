// 9. Add-ons (issue 14): time from `addons:create heroku-postgresql:essential-0` (POST
// /apps/{app}/addons) to a DATABASE_URL a client can open and query, beside the bare peer on the
// same PostgreSQL cluster: Debian's `createdb` (spawn to exit) plus a `SELECT 1` on the new database.
// The first add-on also initdb's and starts the shared cluster: reported apart (cold), not in the
// ratio. A standard (dedicated) plan's time is reported beside a bare `initdb` + `pg_ctl start`.
import { execFileSync, spawn } from 'node:child_process';
import { chown, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { startPlatform } from '../lib/platform.mjs';
import { ratio } from '../lib/ratio.mjs';
import { round, summarize } from '../lib/stats.mjs';

const PG_ROOT = '/usr/lib/postgresql';

async function pgBin() {
  const majors = (await readdir(PG_ROOT).catch(() => [])).filter((d) => /^\d+$/.test(d)).sort((a, b) => b - a);
  return majors.length ? path.join(PG_ROOT, majors[0], 'bin') : null;
}

function spawnMs(file, args, env) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(file, args, { env: { PATH: '/usr/bin:/bin', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`${path.basename(file)} exited ${code}: ${err}`))));
  });
}

async function selectOne(url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query('SELECT 1');
  await c.end();
}

export async function addons({ quick, scope, serverDist, repoRoot, log }) {
  const bin = await pgBin();
  if (!bin) return { measured: false, reason: 'no PostgreSQL server binaries (apt-get install postgresql)' };
  const rounds = quick ? 2 : 7;
  const platform = await startPlatform(scope, { serverDist, repoRoot, env: { SLIPWAY_RUNTIME: 'process', SLIPWAY_ADDONS_POSTGRES: 'on' } });
  scope.defer(() => platform.stop());
  const { api } = platform;
  const app = 'bench-addons';
  if ((await api('POST', '/apps', { name: app })).status !== 201) throw new Error('could not create the app');

  const createUsable = async (plan) => {
    const t0 = performance.now();
    const r = await api('POST', `/apps/${app}/addons`, { plan: { name: `heroku-postgresql:${plan}` }, attachment: { name: `DB_${plan.replace(/-/g, '_').toUpperCase()}_${Math.random().toString(36).slice(2, 8).toUpperCase()}` } });
    if (r.status !== 201) throw new Error(`addons:create ${plan}: ${r.status} ${JSON.stringify(r.body)}`);
    const config = (await api('GET', `/apps/${app}/config-vars`)).body;
    const url = config[r.body.config_vars[0]];
    await selectOne(url);
    return { ms: performance.now() - t0, addon: r.body };
  };

  log('addons: first add-on (initdb of the shared cluster)…');
  const cold = await createUsable('essential-0');
  const ours = [];
  for (let i = 0; i < rounds; i++) ours.push((await createUsable('essential-0')).ms);

  // the peer, on the same cluster with its admin credentials
  const saved = JSON.parse(await readFile(path.join(platform.dataDir, 'addons', 'postgres', 'shared', 'cluster.json'), 'utf8'));
  const env = { PGHOST: '127.0.0.1', PGPORT: String(saved.port), PGUSER: 'slipway', PGPASSWORD: saved.adminPassword };
  const peer = [];
  for (let i = 0; i < rounds; i++) {
    const db = `bench_peer_${i}_${Date.now()}`;
    const t0 = performance.now();
    await spawnMs(path.join(bin, 'createdb'), [db], env);
    await selectOne(`postgres://slipway:${saved.adminPassword}@127.0.0.1:${saved.port}/${db}`);
    peer.push(performance.now() - t0);
    await spawnMs(path.join(bin, 'dropdb'), [db], env);
  }

  log('addons: a standard-0 add-on (its own cluster)…');
  const dedicated = quick ? null : await createUsable('standard-0');
  let bareCluster = null;
  if (!quick) {
    const dir = await scope.tmpdir('bare-initdb');
    const root = process.getuid?.() === 0;
    if (root) await chown(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
    const asPg = (file, args) => (root ? spawnMs('/usr/sbin/runuser', ['-u', 'postgres', '--', file, ...args], {}) : spawnMs(file, args, {}));
    const port = saved.port + 1000 > 65000 ? saved.port - 1000 : saved.port + 1000;
    const t0 = performance.now();
    await asPg(path.join(bin, 'initdb'), ['-D', path.join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-instructions']);
    await asPg(path.join(bin, 'pg_ctl'), ['start', '-D', path.join(dir, 'data'), '-w', '-s', '-l', path.join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`]);
    await selectOne(`postgres://postgres@127.0.0.1:${port}/postgres`);
    bareCluster = performance.now() - t0;
    await asPg(path.join(bin, 'pg_ctl'), ['stop', '-D', path.join(dir, 'data'), '-m', 'immediate', '-s']);
  }

  const o = summarize(ours);
  const p = summarize(peer);
  return {
    rounds,
    essential: { p50: round(o.p50, 1), max: round(o.max, 1), samples: ours.map((x) => round(x, 1)) },
    createdb: { p50: round(p.p50, 1), max: round(p.max, 1), samples: peer.map((x) => round(x, 1)) },
    coldMs: round(cold.ms, 1),
    dedicatedMs: dedicated ? round(dedicated.ms, 1) : null,
    bareClusterMs: bareCluster === null ? null : round(bareCluster, 1),
    ratios: [ratio('addons:create essential-0 → usable DATABASE_URL, p50 / bare createdb + SELECT 1', o.p50, p.p50, '<=', 10, 'createdb')],
  };
}
