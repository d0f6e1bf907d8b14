/**
 * Running as a service (issue 20, step 6): a service manager or a shell may SIGKILL the platform's
 * whole process group (`kill -KILL -<pgid>`; systemd's `systemctl kill -s KILL` hits the service's
 * cgroup the same way). The data plane must not notice: the router process and every dyno's conmon
 * live outside that group (their own session, and their own systemd scope where systemd runs; see
 * isolation/service-scope.ts), so routed requests keep succeeding while the control plane is gone,
 * and the restarted platform adopts the same router process and every dyno with the same ids.
 *
 * Real components: the platform (src/main.ts) in its own process group with SLIPWAY_RUNTIME=runc on
 * its own bridge and /24, the router process, runc + conmon dynos of the probe app pushed with the
 * real `git`, the official `heroku` CLI. Skipped with the reason when runc is not usable here.
 * Before the fix the router was in the platform's process group: the kill took it down and about a
 * quarter of the requests of the window failed (228 of 982 in the measurement).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { isRuncUsable, parseCidr, removeBridge } from '../../src/isolation/index.js';
import { herokuCli, type HerokuCli } from '../helpers/heroku-cli.js';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { api, checkout, remoteUrl, waitFor, type Checkout } from './deploy-helpers.js';
import { cleanupRuncData, freeSubnet, hostGet, runcList } from './runc-probe.js';

const usable = await isRuncUsable();
const APP = `sk-${randomBytes(3).toString('hex')}`;
const DYNOS = 3;

interface DynoJson { id: string; name: string; state: string }

/** Steady traffic through the router: one request after another on each of `lanes` loops. */
function steadyTraffic(get: () => Promise<{ status: number; body: string }>, lanes: number) {
  let running = true;
  const failures: string[] = [];
  let ok = 0;
  const lane = async () => {
    while (running) {
      try {
        const r = await get();
        if (r.status === 200) ok++;
        else failures.push(`HTTP ${r.status}: ${r.body.slice(0, 200)}`);
      } catch (err) {
        failures.push(String(err));
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const done = Promise.all(Array.from({ length: lanes }, lane));
  return {
    get ok() {
      return ok;
    },
    failures,
    async stop() {
      running = false;
      await done;
    },
  };
}

describe('SIGKILL of the platform\'s whole process group under routed traffic', { skip: usable.usable ? false : `runc is not usable here: ${usable.reason}`, timeout: 600_000 }, () => {
  const bridge = `slwk${randomBytes(3).toString('hex')}`;
  const subnet = freeSubnet();
  let platform: RunningPlatform;
  let cli: HerokuCli;
  let co: Checkout;

  const dynos = async (): Promise<DynoJson[]> => {
    const r = await api<DynoJson[]>(platform.url, platform.token, 'GET', `/apps/${APP}/dynos`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };
  const containers = () => runcList(platform.dataDir).map((c) => c.id).filter((id) => id.startsWith(`${APP}.`)).sort();

  before(async () => {
    platform = await startPlatform({
      ownProcessGroup: true,
      env: { SLIPWAY_RUNTIME: 'runc', SLIPWAY_RUNC_BRIDGE: bridge, SLIPWAY_RUNC_SUBNET: subnet, SLIPWAY_STOP_GRACE_MS: '3000', SLIPWAY_LISTEN_HOST: '0.0.0.0' },
    });
    cli = await herokuCli(platform);
    co = await checkout('probe-app');
    const created = await cli.run(['apps:create', APP]);
    assert.equal(created.code, 0, created.stderr);
    const pushed = await co.git(['push', remoteUrl(platform.apiPort, APP, platform.token), 'HEAD:main']);
    assert.equal(pushed.code, 0, pushed.output);
    const scaled = await cli.run(['ps:scale', `web=${DYNOS}`, '-a', APP]);
    assert.equal(scaled.code, 0, scaled.stderr);
    await waitFor(`${DYNOS} web dynos up`, async () => {
      const ds = await dynos();
      return ds.length === DYNOS && ds.every((d) => d.state === 'up') ? ds : undefined;
    }, 180_000);
  });

  after(async () => {
    if (platform) {
      await cli?.run(['apps:destroy', APP, '--confirm', APP]).catch(() => undefined);
      await waitFor('every dyno gone', async () => (runcList(platform.dataDir).length === 0 ? true : undefined), 60_000).catch(() => undefined);
      await platform.stop({ keepData: true });
      const left = await cleanupRuncData(platform.dataDir, { bridge, subnet }).catch(() => -1);
      if (left !== 0) process.stderr.write(`service-kill e2e: cleaned up ${left} dynos left running\n`);
      await rm(platform.dataDir, { recursive: true, force: true });
    }
    await removeBridge({ bridge, subnet: parseCidr(subnet), routerPort: null }).catch(() => undefined);
    await cli?.close();
    await co?.close();
  });

  test('no routed request fails; the restarted platform adopts the router and every dyno (same ids)', async () => {
    const routed = () => hostGet(`http://127.0.0.1:${platform.routerPort}/`, `${APP}.localhost:${platform.routerPort}`, 10_000);
    assert.equal((await routed()).status, 200);
    const dynoIds = (await dynos()).map((d) => `${d.name} ${d.id}`).sort();
    const ids = containers();
    assert.equal(ids.length, DYNOS);
    const routerPid = Number(readFileSync(path.join(platform.dataDir, 'router.pid'), 'utf8'));
    const pgid = platform.pid;
    assert.ok(pgid > 1);
    // The data plane is not in the platform's process group.
    const groupOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[2]);
    assert.equal(groupOf(pgid), pgid, 'the platform leads its own process group');
    assert.notEqual(groupOf(routerPid), pgid, 'the router process is outside the platform\'s process group');

    const traffic = steadyTraffic(routed, 4);
    await new Promise((r) => setTimeout(r, 2_000));
    const beforeKill = traffic.ok;
    process.kill(-pgid, 'SIGKILL');
    await waitFor('the platform to die', async () => (existsSync(`/proc/${pgid}`) ? undefined : true), 30_000);
    await platform.stop({ keepData: true });
    await new Promise((r) => setTimeout(r, 2_000));
    assert.ok(existsSync(`/proc/${routerPid}`), 'the router process survived the group kill');
    const whileDown = traffic.ok;

    platform = await startPlatform({ dataDir: platform.dataDir, env: platform.env, ownProcessGroup: true });
    await waitFor('the router to be adopted', async () => (/router\.process_adopted/.test(platform.output()) ? true : undefined), 30_000);
    assert.match(platform.output(), new RegExp(`router\\.process_adopted.*pid=${routerPid}`));
    await waitFor(`${DYNOS} dynos up again`, async () => {
      const ds = await dynos();
      return ds.length === DYNOS && ds.every((d) => d.state === 'up') ? ds : undefined;
    }, 60_000);
    await new Promise((r) => setTimeout(r, 2_000));
    await traffic.stop();

    assert.deepEqual(traffic.failures, [], `${traffic.failures.length} of ${traffic.ok + traffic.failures.length} routed requests failed`);
    assert.ok(whileDown > beforeKill, `requests were served while no platform ran (${beforeKill} before the kill, ${whileDown} after)`);
    assert.deepEqual((await dynos()).map((d) => `${d.name} ${d.id}`).sort(), dynoIds, 'the same dynos, same ids');
    assert.deepEqual(containers(), ids, 'the same containers, none started again');
    assert.equal(Number(readFileSync(path.join(platform.dataDir, 'router.pid'), 'utf8')), routerPid, 'the same router process');
    process.stdout.write(`# service-kill: ${traffic.ok} routed requests, 0 failed; ${DYNOS} dynos and router pid ${routerPid} adopted\n`);
  });
});
