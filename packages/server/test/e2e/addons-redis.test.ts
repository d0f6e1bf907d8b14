/**
 * heroku-redis end to end with the official `heroku` CLI: `addons:create heroku-redis:mini` sets
 * REDIS_URL with a new release and starts a real redis-server; a Node app pushed with the real
 * node-redis client writes and reads through it; `redis:cli` (the CLI's own client, TLS straight
 * to the server, HEROKU_DATA_HOST=localhost) and `redis:info` see it from the host; a SIGKILL of the
 * platform's whole process group and a restart keep the data (the server is re-adopted); destroy
 * does nothing without the confirmation and removes the server and its data with it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { herokuCli, type HerokuCli } from '../helpers/heroku-cli.js';
import { api, checkout, remoteUrl, waitFor, type Checkout } from './deploy-helpers.js';

const APP = 'redis-e2e';
const hasRedis = existsSync('/usr/bin/redis-server');

let platform: RunningPlatform;
let heroku: HerokuCli;
let co: Checkout;
let dataDir: string;

/** `heroku ARGS` with stdin (redis:cli reads its commands there). */
function herokuWithInput(args: string[], input: string, env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(path.join(heroku.binDir, 'heroku'), args, { cwd: heroku.home, env: { ...heroku.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, out });
    });
    child.stdin.end(input);
  });
}

function routerGet(p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: platform.routerPort, path: p, headers: { Host: `${APP}.localhost:${platform.routerPort}` } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}
const appAnswers = (p: string, want: string) => waitFor(`GET ${p} → ${want}`, async () => {
  const r = await routerGet(p).catch(() => undefined);
  return r?.status === 200 && r.body === want ? r.body : undefined;
}, 120_000);

const redisDirs = async () => (await readdir(path.join(dataDir, 'addons', 'redis')).catch(() => [] as string[])).filter((n) => n.startsWith('redis-'));

before(async () => {
  if (!hasRedis) return;
  platform = await startPlatform({ ownProcessGroup: true });
  dataDir = platform.dataDir;
  heroku = await herokuCli(platform);
  const created = await api(platform.url, platform.token, 'POST', '/apps', { name: APP });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  co = await checkout('redis-app');
});

after(async () => {
  await heroku?.close();
  await co?.close();
  await platform?.stop({ keepData: true });
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('heroku-redis add-on', { skip: hasRedis ? false : 'redis-server is not installed', timeout: 600_000 }, () => {
  let addonName = '';

  test('addons:create heroku-redis:mini sets REDIS_URL with a new release', async () => {
    const before = (await api<unknown[]>(platform.url, platform.token, 'GET', `/apps/${APP}/releases`)).body.length;
    const created = await heroku.run(['addons:create', 'heroku-redis:mini', '-a', APP]);
    assert.equal(created.code, 0, `${created.stderr}\nplatform output:\n${platform.output().slice(-4000)}`);
    addonName = /Created (redis-[a-z]+-\d+) as REDIS_URL/.exec(created.stdout + created.stderr)?.[1] ?? '';
    assert.ok(addonName, created.stdout + created.stderr);
    const config = (await api<Record<string, string>>(platform.url, platform.token, 'GET', `/apps/${APP}/config-vars`)).body;
    assert.match(config.REDIS_URL ?? '', /^redis:\/\/:[0-9a-f]{48}@[\d.]+:\d+$/);
    assert.match(config.REDIS_TLS_URL ?? '', /^rediss:\/\//);
    assert.equal((await api<unknown[]>(platform.url, platform.token, 'GET', `/apps/${APP}/releases`)).body.length, before + 1);
    assert.deepEqual(await redisDirs(), [addonName]);
  });

  test('an app with the real node-redis client writes and reads through REDIS_URL', async () => {
    const push = await co.git(['push', remoteUrl(platform.apiPort, APP, platform.token), 'HEAD:main']);
    assert.equal(push.code, 0, push.output);
    await appAnswers('/set?k=greeting&v=hello-from-dyno', 'OK');
    await appAnswers('/get?k=greeting', 'hello-from-dyno');
  });

  test('redis:cli and redis:info from the host see the keys (HEROKU_DATA_HOST=localhost)', async () => {
    const cli = await herokuWithInput(['redis:cli', '-a', APP, '--confirm', APP], 'GET greeting\nSET from-cli yes\n', { HEROKU_DATA_HOST: 'localhost' });
    assert.equal(cli.code, 0, cli.out);
    assert.match(cli.out, new RegExp(`Connecting to ${addonName} \\(REDIS_URL, REDIS_TLS_URL\\)|Connecting to ${addonName}`));
    assert.match(cli.out, /hello-from-dyno/);
    assert.match(cli.out, /Disconnected from instance\./);
    await appAnswers('/get?k=from-cli', 'yes');
    const info = await heroku.run(['redis:info', '-a', APP], { env: { HEROKU_DATA_HOST: 'localhost' } });
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, new RegExp(`=== ${addonName}`));
    assert.match(info.stdout, /Plan: +Mini/);
    assert.match(info.stdout, /Status: +available/);
    assert.match(info.stdout, /Keys: +2/);
  });

  test('redis:credentials --reset: a new REDIS_URL with a release, the old password refused, the app still reads', async () => {
    const env = { HEROKU_DATA_HOST: 'localhost' };
    const old = (await api<Record<string, string>>(platform.url, platform.token, 'GET', `/apps/${APP}/config-vars`)).body.REDIS_URL!;
    const shown = await heroku.run(['redis:credentials', '-a', APP], { env });
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^rediss:\/\/:[0-9a-f]{48}@/m);
    const reset = await heroku.run(['redis:credentials', '-a', APP, '--reset'], { env });
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stdout, new RegExp(`Resetting credentials for ${addonName}`));
    const now = (await api<Record<string, string>>(platform.url, platform.token, 'GET', `/apps/${APP}/config-vars`)).body.REDIS_URL!;
    assert.notEqual(now, old);
    const refused = await herokuWithInput(['redis:cli', '-a', APP, '--confirm', APP], 'GET greeting\n', env);
    assert.match(refused.out, /hello-from-dyno/, 'redis:cli uses the new credentials');
    const u = new URL(old);
    const { createClient } = await import('redis');
    const client = createClient({ url: old, socket: { reconnectStrategy: false, connectTimeout: 2000 } });
    client.on('error', () => undefined);
    await assert.rejects(client.connect(), /WRONGPASS|invalid username-password/i, `the old password of ${u.host} is refused`);
    await appAnswers('/get?k=greeting', 'hello-from-dyno');
    const wait = await heroku.run(['redis:wait', '-a', APP], { env });
    assert.equal(wait.code, 0, wait.stderr);
  });

  test('a SIGKILL of the platform and a restart keep the data', async () => {
    process.kill(-platform.pid, 'SIGKILL');
    await waitFor('the API to go away', async () => ((await fetch(`${platform.url}/account`).catch(() => undefined)) ? undefined : true), 30_000);
    platform = await startPlatform({ dataDir, env: platform.env, ownProcessGroup: true });
    await appAnswers('/get?k=greeting', 'hello-from-dyno');
  });

  test('destroy asks for the confirmation, then removes the server and its data', async () => {
    const unconfirmed = await heroku.run(['addons:destroy', addonName, '-a', APP]);
    assert.equal((await api(platform.url, platform.token, 'GET', `/apps/${APP}/addons/${addonName}`)).status, 200, unconfirmed.stderr);
    assert.deepEqual(await redisDirs(), [addonName]);
    const destroyed = await heroku.run(['addons:destroy', addonName, '-a', APP, '--confirm', APP]);
    assert.equal(destroyed.code, 0, destroyed.stderr);
    assert.deepEqual(await redisDirs(), []);
    const config = (await api<Record<string, string>>(platform.url, platform.token, 'GET', `/apps/${APP}/config-vars`)).body;
    assert.equal(config.REDIS_URL, undefined);
  });
});
