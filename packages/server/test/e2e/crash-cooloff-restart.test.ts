/**
 * Issue 19, finding 3: a dyno that crashed earlier stayed `down` ~20 minutes after a clean platform
 * restart. The real platform (child process, `process` runtime: the crash bookkeeping is the dyno
 * manager's, the same for every driver), the dynos-app fixture pushed with real `git`: web crashes
 * on boot twice (crash cool-off, default 20 min), the config is fixed so it runs, the platform is
 * stopped with SIGINT and started again on the same data: the web dyno must be up at once, because
 * the platform stopped it, not a crash. A dyno still in a real crash cool-off stays in it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { api, checkout, remoteUrl, waitFor, type Checkout } from './deploy-helpers.js';

const APP = 'cooloff-e2e';
let platform: RunningPlatform;
let co: Checkout;

interface DynoJson { name: string; state: string }
const dynos = async () => (await api<DynoJson[]>(platform.url, platform.token, 'GET', `/apps/${APP}/dynos`)).body;
const web = async () => (await dynos()).find((d) => d.name === 'web.1');
async function logs(): Promise<string> {
  const s = await api<{ logplex_url: string }>(platform.url, platform.token, 'POST', `/apps/${APP}/log-sessions`, { lines: 1500 });
  return (await fetch(s.body.logplex_url)).text();
}
const count = (text: string, needle: string) => text.split(needle).length - 1;

/** `before`: crashes logged before the crashing release. */
async function crashTwice(before: number): Promise<void> {
  await waitFor('web.1 crashed twice and in its cool-off', async () => {
    const d = await web();
    return d?.state === 'crashed' && count(await logs(), 'crashing on boot') >= before + 2 ? true : undefined;
  }, 120_000);
  // The cool-off holds: no third start within a few seconds.
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal((await web())?.state, 'crashed');
}

async function restartPlatform(): Promise<number> {
  await platform.stop({ keepData: true, signal: 'SIGINT' });
  const started = Date.now();
  platform = await startPlatform({ dataDir: platform.dataDir, env: platform.env });
  return started;
}

before(async () => {
  platform = await startPlatform({ env: { SLIPWAY_RUNTIME: 'process', SLIPWAY_STOP_GRACE_MS: '3000', SLIPWAY_BOOT_TIMEOUT_MS: '20000' } });
  co = await checkout('dynos-app');
  assert.equal((await api(platform.url, platform.token, 'POST', '/apps', { name: APP })).status, 201);
  assert.equal((await api(platform.url, platform.token, 'PATCH', `/apps/${APP}/config-vars`, { CRASH_ON_BOOT: '1' })).status, 200);
  const pushed = await co.git(['push', remoteUrl(platform.apiPort, APP, platform.token), 'HEAD:main']);
  assert.equal(pushed.code, 0, pushed.output);
  assert.equal((await api(platform.url, platform.token, 'PATCH', `/apps/${APP}/formation/worker`, { quantity: 0 })).status, 200);
});

after(async () => {
  await platform?.stop();
  await co?.close();
});

test('crash twice, fix the config, SIGINT, start: the web dyno is up at once', { timeout: 240_000 }, async () => {
  await crashTwice(0);
  assert.equal((await api(platform.url, platform.token, 'PATCH', `/apps/${APP}/config-vars`, { CRASH_ON_BOOT: null })).status, 200);
  await waitFor('web.1 up after the config fix', async () => ((await web())?.state === 'up' ? true : undefined), 60_000);
  const started = await restartPlatform();
  await waitFor('web.1 up after the platform restart', async () => ((await web())?.state === 'up' ? true : undefined), 30_000);
  assert.ok(Date.now() - started < 30_000);
});

test('a dyno in a real crash cool-off when the platform restarts stays in it', { timeout: 240_000 }, async () => {
  const before = count(await logs(), 'crashing on boot');
  assert.equal((await api(platform.url, platform.token, 'PATCH', `/apps/${APP}/config-vars`, { CRASH_ON_BOOT: '1' })).status, 200);
  await crashTwice(before);
  const crashes = count(await logs(), 'crashing on boot');
  await restartPlatform();
  await new Promise((r) => setTimeout(r, 5000));
  assert.equal((await web())?.state, 'crashed');
  assert.equal(count(await logs(), 'crashing on boot'), crashes, 'no start during the cool-off');
});
