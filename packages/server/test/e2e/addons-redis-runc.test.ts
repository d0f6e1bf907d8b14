/**
 * heroku-redis under the runc runtime (issue 14, isolation): the server listens on the bridge's
 * host address and REDIS_URL names it; a dyno of an app attached to the add-on reaches it (its
 * veth gets an accept for the server's ports), a dyno of an app with no attachment cannot even
 * open a TCP connection to it — not with the right password either — until the add-on is attached
 * to its app, and again not after the detach.
 *
 * Real components: the platform with SLIPWAY_RUNTIME=runc on its own bridge and subnet, runc +
 * conmon dynos of the redis-app fixture (real `redis` client), iptables, redis-server, the
 * official CLI.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { isRuncUsable, parseCidr, removeBridge } from '../../src/isolation/index.js';
import { herokuCli, type HerokuCli } from '../helpers/heroku-cli.js';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { api, checkout, remoteUrl, waitFor, type Checkout } from './deploy-helpers.js';
import { cleanupRuncData, freeSubnet, hostGet, runcList } from './runc-probe.js';

const usable = await isRuncUsable();
const skip = !usable.usable ? `runc is not usable here: ${usable.reason}` : !existsSync('/usr/bin/redis-server') ? 'no redis-server (apt-get install redis-server)' : undefined;
const id = randomBytes(2).toString('hex');
const ONE = `rdr-one-${id}`;
const OTHER = `rdr-other-${id}`;

describe('heroku-redis on runc: reachable only from attached apps\' dynos', { skip: skip ?? false, timeout: 15 * 60_000 }, () => {
  const bridge = `slwr${randomBytes(3).toString('hex')}`;
  const subnet = freeSubnet();
  let platform: RunningPlatform;
  let cli: HerokuCli;
  let co: Checkout;

  const heroku = async (args: string[]) => {
    const r = await cli.run(args, { env: { HEROKU_DATA_HOST: 'localhost' }, timeoutMs: 180_000 });
    assert.equal(r.code, 0, `heroku ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  const config = async (app: string) => (await api<Record<string, string>>(platform.url, platform.token, 'GET', `/apps/${app}/config-vars`)).body;
  const get = (app: string, p: string) => hostGet(`http://127.0.0.1:${platform.routerPort}${p}`, `${app}.localhost`, 30_000).catch((err: Error) => ({ status: 0, body: err.message }));
  /** The answer at `p` once the app's newest release serves (a 200, or a 500 from the app itself). */
  const answer = async (app: string, p: string, want: (r: { status: number; body: string }) => boolean) => {
    let last: { status: number; body: string } | undefined;
    try {
      return await waitFor(`${app}${p}`, async () => {
        last = await get(app, p);
        return want(last) ? last : undefined;
      }, 180_000);
    } catch (err) {
      throw new Error(`${(err as Error).message}; last answer ${last?.status}: ${last?.body.slice(0, 300)}\n${platform.output().split('\n').filter((l) => /addons|redis|firewall|error/.test(l)).slice(-15).join('\n')}`);
    }
  };
  const unreachable = /timeout|ETIMEDOUT|EHOSTUNREACH|ECONNREFUSED|Connection timeout/i;

  before(async () => {
    platform = await startPlatform({
      env: { SLIPWAY_RUNTIME: 'runc', SLIPWAY_RUNC_BRIDGE: bridge, SLIPWAY_RUNC_SUBNET: subnet, SLIPWAY_STOP_GRACE_MS: '3000', SLIPWAY_LISTEN_HOST: '0.0.0.0', SLIPWAY_BUILD_ISOLATION: 'none' },
    });
    cli = await herokuCli(platform);
    co = await checkout('redis-app');
    for (const app of [ONE, OTHER]) assert.equal((await api(platform.url, platform.token, 'POST', '/apps', { name: app })).status, 201);
  });

  after(async () => {
    if (platform) {
      for (const app of [ONE, OTHER]) await cli?.run(['apps:destroy', app, '--confirm', app]).catch(() => undefined);
      await waitFor('every dyno gone', async () => (runcList(platform.dataDir).length === 0 ? true : undefined), 60_000).catch(() => undefined);
      await platform.stop({ keepData: true });
      await cleanupRuncData(platform.dataDir, { bridge, subnet }).catch(() => -1);
      await rm(platform.dataDir, { recursive: true, force: true });
    }
    await removeBridge({ bridge, subnet: parseCidr(subnet), routerPort: null }).catch(() => undefined);
    await cli?.close();
    await co?.close();
  });

  test('the attached app\'s dyno reads and writes; another app\'s dyno cannot connect until attached', async () => {
    await heroku(['addons:create', 'heroku-redis:mini', '-a', ONE]);
    const url = (await config(ONE)).REDIS_URL;
    const gateway = parseCidr(subnet);
    assert.equal(new URL(url).hostname, [gateway.base >>> 24, (gateway.base >>> 16) & 255, (gateway.base >>> 8) & 255, (gateway.base & 255) + 1].join('.'), 'the bridge\'s host address');
    // the other app is given the whole URL, password included: the network alone must refuse it
    assert.equal((await api(platform.url, platform.token, 'PATCH', `/apps/${OTHER}/config-vars`, { REDIS_PROBE_URL: url })).status, 200);
    for (const app of [ONE, OTHER]) {
      const pushed = await co.git(['push', remoteUrl(platform.apiPort, app, platform.token), 'HEAD:main']);
      assert.equal(pushed.code, 0, pushed.output);
    }
    assert.equal((await answer(ONE, '/set?k=k1&v=runc', (r) => r.status === 200)).body, 'OK');
    assert.equal((await answer(ONE, '/get?k=k1', (r) => r.status === 200)).body, 'runc');
    const refused = await answer(OTHER, '/probe?var=REDIS_PROBE_URL', (r) => r.status === 500);
    assert.match(refused.body, unreachable, refused.body);

    const addon = (await heroku(['addons', '-a', ONE])).stdout.match(/redis-[a-z]+-\d{5}/)![0];
    await heroku(['addons:attach', addon, '-a', OTHER, '--as', 'SHARED']);
    assert.equal((await answer(OTHER, '/probe?var=SHARED_URL', (r) => r.status === 200)).body, 'PONG');

    await heroku(['addons:detach', 'SHARED', '-a', OTHER]);
    const again = await answer(OTHER, '/probe?var=REDIS_PROBE_URL', (r) => r.status === 500 && unreachable.test(r.body));
    assert.equal(again.status, 500);
  });
});
