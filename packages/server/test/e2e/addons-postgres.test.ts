/**
 * heroku-postgresql end to end (issue 14's done-when), driven by the official `heroku` CLI 11.10
 * with HEROKU_DATA_HOST=localhost: addons:create → DATABASE_URL and a release; the pg-app fixture
 * (real `pg` client installed by the Node buildpack) pushed with the real `git` writes and reads
 * rows through it; pg:psql (the host's psql) sees them; a SIGKILLed platform restarted on the same
 * data keeps them; pg:backups:capture, pg:reset, pg:backups:restore bring them back; addons:attach
 * --as shares the database with a second app; a third app's own role cannot open the first app's
 * database; addons:destroy --confirm removes it.
 *
 * Real components: the platform (src/main.ts, process runtime: dynos on the host's loopback), the
 * router, Debian's PostgreSQL 15 server initdb'd by the platform, pg_dump/pg_restore, psql, git.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { findPgBin } from '../../src/addons/index.js';
import { herokuCli, type HerokuCli } from '../helpers/heroku-cli.js';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { api, checkout, remoteUrl, waitFor, type Checkout } from './deploy-helpers.js';

const skip = findPgBin() === '' ? 'no PostgreSQL server binaries (apt-get install postgresql)' : undefined;
const id = randomBytes(2).toString('hex');
const ONE = `pg-one-${id}`;
const TWO = `pg-two-${id}`;
const THREE = `pg-three-${id}`;

let platform: RunningPlatform;
let cli: HerokuCli;
let co: Checkout;

function viaRouter(app: string, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: platform.routerPort, path: p, headers: { Host: `${app}.localhost` } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setTimeout(15_000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

async function heroku(args: string[], ok = true) {
  const r = await cli.run(args, { env: { HEROKU_DATA_HOST: 'localhost' }, timeoutMs: 180_000 });
  if (ok) assert.equal(r.code, 0, `heroku ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

async function config(app: string): Promise<Record<string, string>> {
  return (await api<Record<string, string>>(platform.url, platform.token, 'GET', `/apps/${app}/config-vars`)).body;
}

async function releases(app: string): Promise<{ version: number; description: string }[]> {
  return (await api<{ version: number; description: string }[]>(platform.url, platform.token, 'GET', `/apps/${app}/releases`)).body.sort((a, b) => a.version - b.version);
}

async function deploy(app: string): Promise<void> {
  const r = await co.git(['push', remoteUrl(platform.apiPort, app, platform.token), 'HEAD:main']);
  assert.equal(r.code, 0, r.output);
}

/** The app's answer at `p`, once its web dyno serves 200. */
async function routed(app: string, p: string): Promise<string> {
  return waitFor(`${app}${p}`, async () => {
    const r = await viaRouter(app, p).catch(() => undefined);
    return r?.status === 200 ? r.body : undefined;
  }, 120_000);
}

async function canOpen(url: string): Promise<string> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    await c.end();
    return 'ok';
  } catch (err) {
    return (err as Error).message;
  }
}

const envFor = { SLIPWAY_BUILD_ISOLATION: 'none', SLIPWAY_ROUTER_PROCESS: 'false' };

describe('heroku-postgresql with the official CLI', { skip: skip ?? false, timeout: 15 * 60_000 }, () => {
  before(async () => {
    platform = await startPlatform({ env: envFor });
    cli = await herokuCli({ url: platform.url, token: platform.token });
    co = await checkout('pg-app');
    for (const app of [ONE, TWO, THREE]) assert.equal((await api(platform.url, platform.token, 'POST', '/apps', { name: app })).status, 201);
  });
  after(async () => {
    await co?.close();
    await cli?.close();
    await platform?.stop();
  });

  let addonName = '';
  let oneUrl = '';

  test('addons:create sets DATABASE_URL with a release; the app writes and reads rows; pg:psql sees them', async () => {
    const created = await heroku(['addons:create', 'heroku-postgresql:essential-0', '-a', ONE]);
    const m = /Created (postgresql-[a-z]+-\d{5}) as DATABASE_URL/.exec(created.stdout + created.stderr);
    assert.ok(m, created.stdout + created.stderr);
    addonName = m[1];
    oneUrl = (await config(ONE)).DATABASE_URL;
    assert.match(oneUrl, /^postgres:\/\/u[0-9a-f]+:[0-9a-f]{48}@127\.0\.0\.1:\d+\/d[0-9a-f]+$/);
    assert.equal((await releases(ONE)).at(-1)?.description, `Attach DATABASE (@ref:${addonName})`);

    const list = await heroku(['addons', '-a', ONE]);
    assert.match(list.stdout, new RegExp(`${addonName}.*essential-0.*created`));
    assert.match(list.stdout, /as DATABASE/);
    const info = await heroku(['addons:info', addonName]);
    assert.match(info.stdout, /Plan:\s+heroku-postgresql:essential-0/);
    assert.match(info.stdout, new RegExp(`Attachments:\\s+${ONE}::DATABASE`));

    await deploy(ONE);
    assert.equal(await routed(ONE, '/write?v=a'), 'written');
    assert.equal(await routed(ONE, '/write?v=b'), 'written');
    assert.equal(await routed(ONE, '/count'), '2');

    const psql = await heroku(['pg:psql', '-a', ONE, '-c', 'select count(*) from items']);
    assert.match(psql.stdout, /^\s+2$/m, psql.stdout);
    const pgInfo = await heroku(['pg:info', '-a', ONE]);
    assert.match(pgInfo.stdout, /Plan:\s+Essential 0/);
    assert.match(pgInfo.stdout, /PG Version:\s+15\./);
    const url = await heroku(['pg:credentials:url', '-a', ONE]);
    assert.ok(url.stdout.includes(oneUrl), url.stdout);
  });

  test('a SIGKILLed platform restarted on the same data keeps the rows', async () => {
    process.kill(platform.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 1_000));
    const old = platform;
    platform = await startPlatform({ dataDir: old.dataDir, env: { ...old.env } });
    const stopNew = platform.stop;
    platform.stop = async (o) => {
      await stopNew(o);
      if (!o?.keepData) await old.stop();
    };
    assert.equal(await routed(ONE, '/count'), '2');
    const psql = await heroku(['pg:psql', '-a', ONE, '-c', 'select count(*) from items']);
    assert.match(psql.stdout, /^\s+2$/m);
  });

  test('pg:backups:capture, pg:reset, pg:backups:restore bring the rows back; the backup downloads', async () => {
    const cap = await heroku(['pg:backups:capture', '-a', ONE]);
    assert.match(cap.stderr + cap.stdout, /Backing up DATABASE to b001/);
    await heroku(['pg:reset', '-a', ONE, '--confirm', ONE]);
    const gone = await heroku(['pg:psql', '-a', ONE, '-c', 'select count(*) from items'], false);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /relation "items" does not exist/);
    await heroku(['pg:backups:restore', 'b001', '-a', ONE, '--confirm', ONE]);
    const back = await heroku(['pg:psql', '-a', ONE, '-c', 'select count(*) from items']);
    assert.match(back.stdout, /^\s+2$/m);
    assert.equal(await routed(ONE, '/count'), '2');
    const list = await heroku(['pg:backups', '-a', ONE]);
    assert.match(list.stdout, /b001/);
    // the download URL is the API port's HTTPS (the CLI fetches https only), its certificate trusted as the README says
    const download = await cli.run(['pg:backups:download', 'b001', '-a', ONE, '-o', `${cli.home}/b001.dump`], {
      env: { HEROKU_DATA_HOST: 'localhost', NODE_EXTRA_CA_CERTS: path.join(platform.dataDir, 'tls', 'cert.pem') },
    });
    assert.equal(download.code, 0, download.stderr);
    assert.equal((await readFile(`${cli.home}/b001.dump`)).subarray(0, 5).toString(), 'PGDMP');
  });

  test('addons:attach --as shares it with a second app; a third app\'s role cannot open it', async () => {
    const attach = await heroku(['addons:attach', addonName, '-a', TWO, '--as', 'REPORTING']);
    assert.match(attach.stdout + attach.stderr, /Setting REPORTING config vars and restarting/);
    assert.equal((await config(TWO)).REPORTING_URL, oneUrl);
    await deploy(TWO);
    assert.equal(await routed(TWO, '/count?var=REPORTING_URL'), '2');

    await heroku(['addons:create', 'heroku-postgresql:essential-0', '-a', THREE]);
    const threeUrl = new URL((await config(THREE)).DATABASE_URL);
    const oneDb = new URL(oneUrl).pathname;
    // the third app's own credentials, pointed at the first app's database: refused by the server
    threeUrl.pathname = oneDb;
    await api(platform.url, platform.token, 'PATCH', `/apps/${THREE}/config-vars`, { DB_PROBE_URL: threeUrl.toString() });
    await deploy(THREE);
    const probe = await waitFor('third app probe', async () => {
      const r = await viaRouter(THREE, '/probe?var=DB_PROBE_URL').catch(() => undefined);
      return r && r.status !== 404 && r.status !== 503 ? r : undefined;
    }, 120_000);
    assert.equal(probe.status, 500);
    assert.match(probe.body, /permission denied for database|not permitted/);
    assert.equal(await routed(THREE, '/probe'), new URL((await config(THREE)).DATABASE_URL).pathname.slice(1));
  });

  test('pg:credentials:rotate changes the URL on every attached app; the old one stops working', async () => {
    await heroku(['pg:credentials:rotate', '-a', ONE, '--confirm', ONE]);
    const rotated = (await config(ONE)).DATABASE_URL;
    assert.notEqual(rotated, oneUrl);
    assert.equal((await config(TWO)).REPORTING_URL, rotated);
    assert.match(await canOpen(oneUrl), /password authentication failed/);
    assert.equal(await canOpen(rotated), 'ok');
    oneUrl = rotated;
  });

  test('addons:detach, then addons:destroy --confirm removes the database', async () => {
    const refused = await heroku(['addons:destroy', addonName, '-a', ONE, '--confirm', ONE], false);
    assert.notEqual(refused.code, 0, refused.stderr);
    assert.match(refused.stderr, /also attached to/);
    await heroku(['addons:detach', 'REPORTING', '-a', TWO]);
    assert.equal((await config(TWO)).REPORTING_URL, undefined);
    const destroyed = await heroku(['addons:destroy', addonName, '-a', ONE, '--confirm', ONE]);
    assert.match(destroyed.stdout + destroyed.stderr, new RegExp(`Destroying ${addonName} on ${ONE}\\.\\.\\. done`));
    assert.equal((await config(ONE)).DATABASE_URL, undefined);
    assert.match(await canOpen(oneUrl), /does not exist|password authentication failed/);
    const none = await heroku(['addons', '-a', ONE]);
    assert.doesNotMatch(none.stdout, new RegExp(addonName));
  });
});
