/**
 * Isolated runc dynos end to end (issue 5, "Done when"): the real platform with
 * SLIPWAY_RUNTIME=runc, the probe app (test/fixtures/apps/probe-app) pushed with the real `git`
 * client and built by the real builder, driven with the official `heroku` CLI. The probe reports
 * from inside its dyno what it can see; the tests prove that a dyno sees only its own processes,
 * cannot read another dyno's, the host's or the data dir's files, loses what it wrote under /app
 * on `ps:restart`, gets R14 then R15 (and a restart) past its memory quota, keeps a fork bomb to
 * itself, cannot reach another app's dyno but reaches its own app's by `<dyno>.<app>.internal`;
 * and that SIGKILLing the platform leaves dynos serving and a new platform on the same data dir
 * re-adopts them (no duplicates, logs keep flowing, original up-since times).
 *
 * The router is its own process (router/supervisor.ts): SIGKILL of the platform process leaves it
 * running and routing; the test then SIGKILLs it too (as a whole-group kill would) and the dynos
 * still serve at IP:PORT; the restarted platform starts a new router.
 *
 * Skipped with the reason when runc is not usable here. Uses its own bridge and /24 subnet.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { isRuncUsable, parseCidr, removeBridge } from '../../src/isolation/index.js';
import { herokuCli, type HerokuCli } from '../helpers/heroku-cli.js';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { api, checkout, remoteUrl, waitFor, type Checkout } from './deploy-helpers.js';
import { cleanupRuncData, freeSubnet, hostGet, platformPid, runcList, type Probe } from './runc-probe.js';

const usable = await isRuncUsable();
const APP_A = `rp-a-${randomBytes(2).toString('hex')}`;
const APP_B = `rp-b-${randomBytes(2).toString('hex')}`;

interface DynoJson { name: string; state: string; updated_at: string; extended?: { ip: string | null; port: number | null } }

describe('runc dynos end to end', { skip: usable.usable ? false : `runc is not usable here: ${usable.reason}`, timeout: 600_000 }, () => {
  const bridge = `slwe${randomBytes(3).toString('hex')}`;
  const subnet = freeSubnet();
  let platform: RunningPlatform;
  let cli: HerokuCli;
  let co: Checkout;

  const heroku = async (...args: string[]) => {
    const r = await cli.run(args);
    const all = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.code, 0, `heroku ${args.join(' ')} exited ${r.code}:\n${all}`);
    return r.stdout;
  };
  const logs = (app: string) => heroku('logs', '-n', '1500', '-a', app);
  const dynos = async (app: string): Promise<DynoJson[]> => {
    const r = await api<DynoJson[]>(platform.url, platform.token, 'GET', `/apps/${app}/dynos?extended=true`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };
  /** The dyno's probe at its own IP:PORT (the host reaches every dyno, as the router does). */
  const probe = async (app: string, name: string): Promise<Probe> => {
    const d = await waitFor(`${app} ${name} up with an address`, async () => {
      const found = (await dynos(app)).find((x) => x.name === name);
      return found?.state === 'up' && found.extended?.ip ? found : undefined;
    }, 120_000);
    return probeAt(`http://${d.extended!.ip}:${d.extended!.port}`, d);
  };
  const probeAt = (base: string, d: DynoJson): Probe => ({
    base, ip: new URL(base).hostname, updatedAt: d.updated_at,
    async get<T = Record<string, unknown>>(p: string, q: Record<string, string> = {}, timeoutMs = 15_000): Promise<T> {
      const res = await fetch(`${base}${p}?${new URLSearchParams(q)}`, { signal: AbortSignal.timeout(timeoutMs) });
      return (await res.json()) as T;
    },
  });
  const allUp = async (app: string, n: number) => waitFor(`${n} ${app} dynos up`, async () => {
    const ds = await dynos(app);
    return ds.length === n && ds.every((d) => d.state === 'up') ? ds : undefined;
  }, 180_000);
  const containers = (app: string) => runcList(platform.dataDir).filter((c) => c.id.startsWith(`${app}.`));

  before(async () => {
    platform = await startPlatform({
      env: {
        SLIPWAY_RUNTIME: 'runc', SLIPWAY_RUNC_BRIDGE: bridge, SLIPWAY_RUNC_SUBNET: subnet, SLIPWAY_STOP_GRACE_MS: '3000',
        SLIPWAY_LISTEN_HOST: '0.0.0.0',
      },
    });
    cli = await herokuCli(platform);
    co = await checkout('probe-app');
    for (const app of [APP_A, APP_B]) {
      await heroku('apps:create', app);
      const pushed = await co.git(['push', remoteUrl(platform.apiPort, app, platform.token), 'HEAD:main']);
      assert.equal(pushed.code, 0, pushed.output);
    }
    await heroku('ps:scale', 'web=2', '-a', APP_A);
    await allUp(APP_A, 2);
    await allUp(APP_B, 1);
  });

  after(async () => {
    if (platform) {
      for (const app of [APP_A, APP_B]) await cli?.run(['apps:destroy', app, '--confirm', app]).catch(() => undefined);
      await waitFor('every dyno gone', async () => (runcList(platform.dataDir).length === 0 ? true : undefined), 60_000).catch(() => undefined);
      await platform.stop({ keepData: true });
      const left = await cleanupRuncData(platform.dataDir, { bridge, subnet }).catch(() => -1);
      if (left !== 0) process.stderr.write(`runc e2e: cleaned up ${left} dynos left running\n`);
      await rm(platform.dataDir, { recursive: true, force: true });
    }
    await removeBridge({ bridge, subnet: parseCidr(subnet), routerPort: null }).catch(() => undefined);
    await cli?.close();
    await co?.close();
  });

  test('a dyno sees only its own processes', async () => {
    const web1 = await probe(APP_A, 'web.1');
    const me = await web1.get<{ hostname: string; uid: number }>('/');
    assert.equal(me.hostname, 'web.1');
    assert.notEqual(me.uid, 0);
    const { processes } = await web1.get<{ processes: { pid: number; cmdline: string }[] }>('/ps');
    const pids = processes.map((p) => p.pid).sort((a, b) => a - b);
    assert.equal(pids[0], 1, JSON.stringify(processes));
    for (const p of processes) assert.match(p.cmdline, /^(\/bin\/sh -c .*|node probe\.js)$/s, JSON.stringify(processes));
    assert.ok(processes.some((p) => p.cmdline === 'node probe.js'));
    assert.ok(processes.length <= 3, JSON.stringify(processes));
    // The host sees far more (its own platform, the router, the other dynos).
    assert.ok(readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length > processes.length + 10);
  });

  test('a dyno cannot read another dyno\'s files, the host\'s, or the data dir', async () => {
    const a1 = await probe(APP_A, 'web.1');
    const a2 = await probe(APP_A, 'web.2');
    const b1 = await probe(APP_B, 'web.1');
    const secret = `secret-${randomBytes(6).toString('hex')}`;
    assert.deepEqual(await a1.get('/write', { path: '/app/secret.txt', data: secret }), { ok: true });
    assert.equal((await a1.get<{ text: string }>('/read', { path: '/app/secret.txt' })).text, secret);
    // The write landed in a1's own overlay upper dir on the host, and nowhere else.
    const [a1ctr] = containers(APP_A).filter((c) => c.id.startsWith(`${APP_A}.web-1.`));
    const upperFile = path.join(a1ctr.bundle, 'scratch', 'upper', 'secret.txt');
    assert.equal(readFileSync(upperFile, 'utf8'), secret);
    for (const other of [a2, b1]) {
      for (const p of ['/app/secret.txt', upperFile, `/proc/${a1ctr.pid}/root/app/secret.txt`]) {
        const r = await other.get<{ ok: boolean; code?: string }>('/read', { path: p });
        assert.equal(r.ok, false, `${other.ip} read ${p}`);
      }
    }
    // Host files and the platform's data dir are not in the dyno's filesystem at all.
    const hostPaths = ['/etc/shadow', '/root', platform.dataDir, path.join(platform.dataDir, 'slipway.db'), path.join(platform.dataDir, 'admin-token'),
      path.join(platform.dataDir, 'runc'), process.cwd(), '/run/netns', '/var/log'];
    for (const p of hostPaths) {
      const r = await a1.get<{ ok: boolean; code?: string }>('/ls', { path: p });
      const f = await a1.get<{ ok: boolean; code?: string }>('/read', { path: p });
      assert.ok(!r.ok && !f.ok, `a dyno can see ${p}: ${JSON.stringify([r, f])}`);
    }
    const etc = await a1.get<{ entries: string[] }>('/ls', { path: '/etc' });
    assert.ok(!etc.entries.includes('shadow') && !etc.entries.includes('ssh'), etc.entries.join(' '));
  });

  test('the private network: same app by name, not another app, not the host\'s loopback services', async () => {
    const a1 = await probe(APP_A, 'web.1');
    const a2 = await probe(APP_A, 'web.2');
    const b1 = await probe(APP_B, 'web.1');
    const byName = await a1.get<{ ok: boolean; body?: string }>('/fetch', { url: `http://web.2.${APP_A}.internal:5000/` });
    assert.ok(byName.ok, JSON.stringify(byName));
    assert.equal(JSON.parse(byName.body!).dyno, 'web.2');
    const byIp = await a1.get<{ ok: boolean; body?: string }>('/fetch', { url: `${a2.base}/` });
    assert.ok(byIp.ok, JSON.stringify(byIp));
    // Not another app's dyno (by IP; its name is not even known), not the other way round, and
    // not the API (listening on every host address); a dyno's 127.0.0.1 is its own.
    const gw = new URL(a1.base).hostname.replace(/\.\d+$/, '.1');
    const blocked: [Probe, string][] = [
      [a1, `${b1.base}/`], [a1, `http://web.1.${APP_B}.internal:5000/`], [b1, `${a1.base}/`], [b1, `http://web.1.${APP_A}.internal:5000/`],
      [a1, `http://${gw}:${platform.apiPort}/`], [a1, `http://127.0.0.1:${platform.apiPort}/`],
    ];
    await Promise.all(blocked.map(async ([from, url]) => {
      const r = await from.get<{ ok: boolean; code?: string }>('/fetch', { url });
      assert.equal(r.ok, false, `${from.ip} reached ${url}: ${JSON.stringify(r)}`);
    }));
  });

  test('a file written under /app is gone after heroku ps:restart', async () => {
    const before1 = await probe(APP_A, 'web.1');
    const marker = `/app/ephemeral-${randomBytes(4).toString('hex')}`;
    assert.deepEqual(await before1.get('/write', { path: marker, data: 'x' }), { ok: true });
    assert.equal((await before1.get<{ ok: boolean }>('/read', { path: marker })).ok, true);
    const oldIds = containers(APP_A).map((c) => c.id);
    await heroku('ps:restart', 'web.1', '-a', APP_A);
    const after1 = await waitFor('web.1 replaced', async () => {
      const p = await probe(APP_A, 'web.1');
      const ids = containers(APP_A).map((c) => c.id);
      return p.ip !== before1.ip && ids.length === 2 && ids.some((id) => !oldIds.includes(id)) ? p : undefined;
    }, 120_000);
    const r = await after1.get<{ ok: boolean; code?: string }>('/read', { path: marker });
    assert.deepEqual(r.ok, false);
    assert.equal(r.code, 'ENOENT');
    // The probe app itself is still there (the shared read-only slug layer).
    assert.equal((await after1.get<{ ok: boolean }>('/read', { path: '/app/probe.js' })).ok, true);
  });

  test('a fork bomb stays inside its dyno: the neighbours keep answering, and it stops', async () => {
    const b1 = await probe(APP_B, 'web.1');
    const [ctr] = containers(APP_B);
    const cg = `/sys/fs/cgroup/pids/slipway/${ctr.id}`;
    const pidsMax = Number(readFileSync(`${cg}/pids.max`, 'utf8'));
    assert.ok(pidsMax > 0 && pidsMax <= 256, String(pidsMax));
    const refused = () => Number(/max (\d+)/.exec(readFileSync(`${cg}/pids.events`, 'utf8'))?.[1] ?? 0);
    assert.equal((await b1.get<{ ok: boolean }>('/forkbomb')).ok, true);
    // The bomb fills the dyno's pids limit and keeps hitting it (forks refused)…
    await waitFor('the fork bomb to hit pids.max', async () => (refused() > 0 ? true : undefined), 30_000);
    const refusedBefore = refused();
    // …while the neighbours (same app, other app), the router and the API answer.
    for (const name of ['web.1', 'web.2']) {
      const me = await (await probe(APP_A, name)).get<{ dyno: string }>('/', {}, 20_000);
      assert.equal(me.dyno, name);
    }
    const viaRouter = await hostGet(`http://127.0.0.1:${platform.routerPort}/`, `${APP_A}.localhost:${platform.routerPort}`, 20_000);
    assert.equal(viaRouter.status, 200, viaRouter.body);
    assert.equal((await dynos(APP_A)).length, 2);
    await waitFor('the bomb to still be at it', async () => (refused() > refusedBefore ? true : undefined), 30_000);
    assert.ok(Number(readFileSync(`${cg}/pids.current`, 'utf8')) <= pidsMax);
    // Restarting the bombed dyno stops every process in it: its cgroup goes away.
    await heroku('ps:restart', 'web.1', '-a', APP_B);
    await waitFor('the bombed dyno to be replaced', async () => {
      const ids = containers(APP_B).map((c) => c.id);
      return ids.length === 1 && ids[0] !== ctr.id && !existsSync(cg) ? true : undefined;
    }, 120_000);
    assert.equal((await (await probe(APP_B, 'web.1')).get<{ dyno: string }>('/')).dyno, 'web.1');
  });

  test('past the memory quota: R14, then R15 and the dyno is restarted', async (t) => {
    const t0 = Date.now();
    const mark = (what: string) => t.diagnostic(`${what} after ${Date.now() - t0} ms`);
    const b1 = await probe(APP_B, 'web.1');
    const [ctr] = containers(APP_B);
    // standard-1x: quota 512 MB (R14 past it), hard limit 2x (the kernel kills: R15).
    assert.deepEqual(await b1.get('/alloc', { mb: '700' }, 60_000), { ok: true, heldMb: 704 });
    await waitFor('R14 in heroku logs', async () => (/heroku\[web\.1\]: Error R14 \(Memory quota exceeded\)/.test(await logs(APP_B)) ? true : undefined), 60_000);
    assert.match(await logs(APP_B), /heroku\[web\.1\]: Process running mem=\d+M\(1\d\d\.\d%\)/);
    mark('R14');
    await b1.get('/alloc', { mb: '1200' }, 60_000).catch(() => undefined);
    mark('alloc 1200');
    const text = await waitFor('R15 in heroku logs', async () => {
      const t = await logs(APP_B);
      return /heroku\[web\.1\]: Error R15 \(Memory quota vastly exceeded\)/.test(t) ? t : undefined;
    }, 60_000);
    mark('R15');
    assert.match(text, /heroku\[web\.1\]: Process exited with status 137/);
    assert.match(text, /heroku\[web\.1\]: State changed from up to crashed/);
    const again = await waitFor('web.1 restarted', async () => {
      const ids = containers(APP_B).map((c) => c.id);
      return ids.length === 1 && ids[0] !== ctr.id ? ids : undefined;
    }, 120_000);
    mark('restarted');
    assert.equal(again.length, 1);
    const fresh = await probe(APP_B, 'web.1');
    assert.equal((await fresh.get<{ dyno: string }>('/')).dyno, 'web.1');
    assert.match(await logs(APP_B), /heroku\[web\.1\]: State changed from crashed to starting/);
  });

  test('SIGKILL of the platform leaves dynos serving; a new platform re-adopts them', async () => {
    const beforePs = await heroku('ps', '-a', APP_A);
    const upSince = [...beforePs.matchAll(/^(web\.\d): up (\S+ \S+ \S+)/gm)].map((m) => `${m[1]} ${m[2]}`).sort();
    assert.equal(upSince.length, 2, beforePs);
    const ids = containers(APP_A).map((c) => c.id).sort();
    const a1 = await probe(APP_A, 'web.1');
    const routed = () => hostGet(`http://127.0.0.1:${platform.routerPort}/`, `${APP_A}.localhost:${platform.routerPort}`);
    assert.equal((await routed()).status, 200);

    const pid = platformPid(platform.dataDir);
    assert.ok(pid, 'the platform process');
    const routerPid = Number(readFileSync(path.join(platform.dataDir, 'router.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    await waitFor('the platform to die', async () => (existsSync(`/proc/${pid}`) ? undefined : true), 30_000);
    await platform.stop({ keepData: true });

    // The dynos serve at IP:PORT, and through the router, which is its own process and survives.
    assert.ok(existsSync(`/proc/${routerPid}`), 'the router process survives the platform process');
    assert.equal((await a1.get<{ dyno: string }>('/')).dyno, 'web.1');
    const viaRouter = await routed();
    assert.equal(viaRouter.status, 200, viaRouter.body);
    assert.match(viaRouter.body, /"dyno":"web\.\d"/);
    // A line printed while no platform runs is held by conmon and delivered after the restart.
    const whileDown = `while-down-${randomBytes(4).toString('hex')}`;
    assert.deepEqual(await a1.get('/log', { msg: whileDown }), { ok: true });
    // Now the router too (as a kill of the whole process group would): the dynos still serve.
    process.kill(routerPid, 'SIGKILL');
    await waitFor('the router to die', async () => (existsSync(`/proc/${routerPid}`) ? undefined : true), 30_000);
    assert.equal((await a1.get<{ dyno: string }>('/')).dyno, 'web.1');
    assert.deepEqual(runcList(platform.dataDir).filter((c) => c.id.startsWith(`${APP_A}.`)).map((c) => c.id).sort(), ids);

    platform = await startPlatform({ dataDir: platform.dataDir, env: platform.env });
    await waitFor('routing again', async () => ((await routed().catch(() => ({ status: 0 }))).status === 200 ? true : undefined), 60_000);
    const afterPs = await heroku('ps', '-a', APP_A);
    const upSinceAfter = [...afterPs.matchAll(/^(web\.\d): up (\S+ \S+ \S+)/gm)].map((m) => `${m[1]} ${m[2]}`).sort();
    assert.deepEqual(upSinceAfter, upSince, afterPs);
    assert.equal(afterPs.match(/^web\.\d+: /gm)?.length, 2, afterPs);
    assert.equal((await dynos(APP_A)).length, 2);
    // No duplicates: the same containers, none started again.
    assert.deepEqual(containers(APP_A).map((c) => c.id).sort(), ids);
    const afterRestart = `after-restart-${randomBytes(4).toString('hex')}`;
    assert.deepEqual(await a1.get('/log', { msg: afterRestart }), { ok: true });
    const text = await waitFor('both lines in heroku logs', async () => {
      const t = await logs(APP_A);
      return t.includes(afterRestart) && t.includes(whileDown) ? t : undefined;
    }, 60_000);
    assert.match(text, new RegExp(`app\\[web\\.1\\]: ${whileDown}`));
    assert.match(text, new RegExp(`app\\[web\\.1\\]: ${afterRestart}`));
    assert.deepEqual(containers(APP_A).map((c) => c.id).sort(), ids);
  });
});
