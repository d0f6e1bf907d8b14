/**
 * What the add-on isolation tests under runc share: a platform with SLIPWAY_RUNTIME=runc on its own
 * bridge and subnet, the official CLI, a fixture checkout, apps made up front, and an `answer` that
 * waits for an app's newest release to give the wanted answer. Call it inside a `describe`: it
 * registers the before/after hooks (apps destroyed, dynos gone, bridge and data removed).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { after, before } from 'node:test';
import { parseCidr, removeBridge } from '../../src/isolation/index.js';
import { herokuCli, type HerokuCli } from '../helpers/heroku-cli.js';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { api, checkout, remoteUrl, waitFor, type Checkout } from './deploy-helpers.js';
import { cleanupRuncData, freeSubnet, hostGet, runcList } from './runc-probe.js';

export interface RouterAnswer { status: number; body: string }

export interface RuncAddonHarness {
  readonly platform: RunningPlatform;
  /** The official CLI (data calls sent to Slipway); asserts exit 0. */
  heroku(args: string[]): Promise<{ stdout: string; stderr: string }>;
  config(app: string): Promise<Record<string, string>>;
  /** Sets one config var through the API. */
  setConfig(app: string, vars: Record<string, string>): Promise<void>;
  /** `git push` of the fixture to each app. */
  push(apps: readonly string[]): Promise<void>;
  /** The answer at `p` once the app's newest release serves one that `want` accepts. */
  answer(app: string, p: string, want: (r: RouterAnswer) => boolean): Promise<RouterAnswer>;
  /** The bridge's host address (what add-on URLs name under runc). */
  bridgeHost(): string;
}

export function runcAddonHarness(opts: { fixture: string; apps: readonly string[]; bridgePrefix: string; logLines: RegExp }): RuncAddonHarness {
  const bridge = `${opts.bridgePrefix}${randomBytes(3).toString('hex')}`;
  const subnet = freeSubnet();
  let platform: RunningPlatform;
  let cli: HerokuCli;
  let co: Checkout;

  const get = (app: string, p: string): Promise<RouterAnswer> =>
    hostGet(`http://127.0.0.1:${platform.routerPort}${p}`, `${app}.localhost`, 30_000).catch((err: Error) => ({ status: 0, body: err.message }));

  before(async () => {
    platform = await startPlatform({
      env: { SLIPWAY_RUNTIME: 'runc', SLIPWAY_RUNC_BRIDGE: bridge, SLIPWAY_RUNC_SUBNET: subnet, SLIPWAY_STOP_GRACE_MS: '3000', SLIPWAY_LISTEN_HOST: '0.0.0.0', SLIPWAY_BUILD_ISOLATION: 'none' },
    });
    cli = await herokuCli(platform);
    co = await checkout(opts.fixture);
    for (const app of opts.apps) assert.equal((await api(platform.url, platform.token, 'POST', '/apps', { name: app })).status, 201);
  });

  after(async () => {
    if (platform) {
      for (const app of opts.apps) await cli?.run(['apps:destroy', app, '--confirm', app]).catch(() => undefined);
      await waitFor('every dyno gone', async () => (runcList(platform.dataDir).length === 0 ? true : undefined), 60_000).catch(() => undefined);
      await platform.stop({ keepData: true });
      await cleanupRuncData(platform.dataDir, { bridge, subnet }).catch(() => -1);
      await rm(platform.dataDir, { recursive: true, force: true });
    }
    await removeBridge({ bridge, subnet: parseCidr(subnet), routerPort: null }).catch(() => undefined);
    await cli?.close();
    await co?.close();
  });

  return {
    get platform() { return platform; },
    async heroku(args) {
      const r = await cli.run(args, { env: { HEROKU_DATA_HOST: 'localhost' }, timeoutMs: 180_000 });
      assert.equal(r.code, 0, `heroku ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
      return r;
    },
    async config(app) {
      return (await api<Record<string, string>>(platform.url, platform.token, 'GET', `/apps/${app}/config-vars`)).body;
    },
    async setConfig(app, vars) {
      assert.equal((await api(platform.url, platform.token, 'PATCH', `/apps/${app}/config-vars`, vars)).status, 200);
    },
    async push(apps) {
      for (const app of apps) {
        const pushed = await co.git(['push', remoteUrl(platform.apiPort, app, platform.token), 'HEAD:main']);
        assert.equal(pushed.code, 0, pushed.output);
      }
    },
    async answer(app, p, want) {
      let last: RouterAnswer | undefined;
      try {
        return await waitFor(`${app}${p}`, async () => {
          last = await get(app, p);
          return want(last) ? last : undefined;
        }, 180_000);
      } catch (err) {
        throw new Error(`${(err as Error).message}; last answer ${last?.status}: ${last?.body.slice(0, 300)}\n${platform.output().split('\n').filter((l) => opts.logLines.test(l)).slice(-15).join('\n')}`);
      }
    },
    bridgeHost() {
      const g = parseCidr(subnet);
      return [g.base >>> 24, (g.base >>> 16) & 255, (g.base >>> 8) & 255, (g.base & 255) + 1].join('.');
    },
  };
}
