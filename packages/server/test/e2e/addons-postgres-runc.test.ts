/**
 * heroku-postgresql under the runc runtime (issue 14, isolation): the server listens on the
 * bridge's host address and DATABASE_URL names it; a dyno of an app attached to the add-on reaches
 * it (its veth gets an accept for the server's port), a dyno of an app with no attachment cannot
 * even open a TCP connection to it — not with the right password either — until the add-on is
 * attached to its app, and again not after the detach.
 *
 * Real components: the platform with SLIPWAY_RUNTIME=runc on its own bridge and subnet, runc +
 * conmon dynos of the pg-app fixture (real `pg` client), iptables, PostgreSQL 15, the official CLI.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { findPgBin } from '../../src/addons/index.js';
import { isRuncUsable, parseCidr, removeBridge } from '../../src/isolation/index.js';
import { herokuCli, type HerokuCli } from '../helpers/heroku-cli.js';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { api, checkout, remoteUrl, waitFor, type Checkout } from './deploy-helpers.js';
import { cleanupRuncData, freeSubnet, hostGet, runcList } from './runc-probe.js';

const usable = await isRuncUsable();
const skip = !usable.usable ? `runc is not usable here: ${usable.reason}` : findPgBin() === '' ? 'no PostgreSQL server binaries' : undefined;
const id = randomBytes(2).toString('hex');
const ONE = `pgr-one-${id}`;
const OTHER = `pgr-other-${id}`;

describe('heroku-postgresql on runc: reachable only from attached apps\' dynos', { skip: skip ?? false, timeout: 15 * 60_000 }, () => {
  const bridge = `slwp${randomBytes(3).toString('hex')}`;
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
      throw new Error(`${(err as Error).message}; last answer ${last?.status}: ${last?.body.slice(0, 300)}\n${platform.output().split('\n').filter((l) => /addons|firewall|error/.test(l)).slice(-15).join('\n')}`);
    }
  };

  before(async () => {
    platform = await startPlatform({
      env: { SLIPWAY_RUNTIME: 'runc', SLIPWAY_RUNC_BRIDGE: bridge, SLIPWAY_RUNC_SUBNET: subnet, SLIPWAY_STOP_GRACE_MS: '3000', SLIPWAY_LISTEN_HOST: '0.0.0.0', SLIPWAY_BUILD_ISOLATION: 'none' },
    });
    cli = await herokuCli(platform);
    co = await checkout('pg-app');
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
    await heroku(['addons:create', 'heroku-postgresql:essential-0', '-a', ONE]);
    const url = (await config(ONE)).DATABASE_URL;
    const gateway = parseCidr(subnet);
    assert.equal(new URL(url).hostname, [gateway.base >>> 24, (gateway.base >>> 16) & 255, (gateway.base >>> 8) & 255, (gateway.base & 255) + 1].join('.'), 'the bridge\'s host address');
    // the other app is given the whole URL, password included: the network alone must refuse it
    assert.equal((await api(platform.url, platform.token, 'PATCH', `/apps/${OTHER}/config-vars`, { DB_PROBE_URL: url })).status, 200);
    for (const app of [ONE, OTHER]) {
      const pushed = await co.git(['push', remoteUrl(platform.apiPort, app, platform.token), 'HEAD:main']);
      assert.equal(pushed.code, 0, pushed.output);
    }
    assert.equal((await answer(ONE, '/write?v=runc', (r) => r.status === 200)).body, 'written');
    assert.equal((await answer(ONE, '/count', (r) => r.status === 200)).body, '1');
    const refused = await answer(OTHER, '/probe?var=DB_PROBE_URL', (r) => r.status === 500);
    assert.match(refused.body, /timeout|ETIMEDOUT|EHOSTUNREACH|ECONNREFUSED/i, refused.body);

    await heroku(['addons:attach', (await heroku(['addons', '-a', ONE])).stdout.match(/postgresql-[a-z]+-\d{5}/)![0], '-a', OTHER, '--as', 'SHARED']);
    assert.equal((await answer(OTHER, '/count?var=SHARED_URL', (r) => r.status === 200)).body, '1');

    await heroku(['addons:detach', 'SHARED', '-a', OTHER]);
    const again = await answer(OTHER, '/probe?var=DB_PROBE_URL', (r) => r.status === 500 && /timeout|ETIMEDOUT|EHOSTUNREACH|ECONNREFUSED/i.test(r.body));
    assert.equal(again.status, 500);
  });
});
