/**
 * Tenant isolation, the network half (issue 18 items 1-3, issue 20 step 5), end to end: the real
 * platform on the runc driver with its own bridge, two apps built from the probe app
 * (test/fixtures/apps/probe-app) with the real `git` client and builder.
 *
 * - From inside a dyno: its own app's other dyno is reachable; the other app's dyno, the host's API
 *   port and a host listener on `::` (standing for sshd) on the bridge address and on another host
 *   address are not; the dyno has no IPv6 address at all; the router port is the one way in.
 * - From inside a build (an `npm run build` script in the pushed app): no dyno of any app, no host
 *   address, no API.
 * - Stale rules: the platform is SIGKILLed and its data dir deleted while its dynos run; one
 *   dyno's container and namespace then go (as after a crash), leaving its firewall rules. A second
 *   platform on the same bridge gives that address to a dyno of another app: it reaches none of the
 *   first platform's dynos.
 * - `slipway cleanup --orphans` then removes every process, cgroup, netns, veth, iptables rule and
 *   chain, address claim and /run entry of the killed platform.
 *
 * Skipped with the reason when runc is not usable here.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gatewayIp, isRuncUsable, parseCidr, removeBridge, vethNames } from '../../src/isolation/index.js';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { api, checkout, remoteUrl, run, waitFor, type Checkout } from './deploy-helpers.js';
import { cleanupRuncData, freeSubnet, hostGet, platformPid, runcList } from './runc-probe.js';

const usable = await isRuncUsable();
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = here.includes(`${path.sep}dist${path.sep}`) ? path.resolve(here, '../../../../..') : path.resolve(here, '../../../..');
const cliBin = path.join(repoRoot, 'packages/cli/dist/src/bin.js');
const t = randomBytes(2).toString('hex');
const APP_A = `tn-a-${t}`;
const APP_B = `tn-b-${t}`;
const APP_C = `tn-c-${t}`;

interface DynoJson { name: string; state: string; extended?: { ip: string | null; port: number | null } }
interface FetchResult { ok: boolean; status?: number; body?: string; code?: string }

/** Another IPv4 address of this host (not on a test bridge). */
function otherHostAddress(): string | undefined {
  const out = execFileSync('ip', ['-4', '-o', 'addr', 'show', 'scope', 'global'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => !/ slw/.test(l)).map((l) => /inet (\S+)\//.exec(l)?.[1]).find(Boolean);
}

describe('tenant network isolation end to end', { skip: usable.usable ? false : `runc is not usable here: ${usable.reason}`, timeout: 900_000 }, () => {
  const bridge = `slwt${randomBytes(3).toString('hex')}`;
  const subnet = freeSubnet();
  const gw = gatewayIp(parseCidr(subnet));
  let first: RunningPlatform;
  let second: RunningPlatform | undefined;
  let co: Checkout;
  let sshd: net.Server;
  let sshdPort: number;
  let instanceA = '';

  const dynos = async (p: RunningPlatform, app: string): Promise<DynoJson[]> => {
    const r = await api<DynoJson[]>(p.url, p.token, 'GET', `/apps/${app}/dynos?extended=true`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };
  const upDyno = (p: RunningPlatform, app: string, name: string) => waitFor(`${app} ${name} up`, async () => {
    const d = (await dynos(p, app)).find((x) => x.name === name);
    return d?.state === 'up' && d.extended?.ip ? { ip: d.extended.ip, port: d.extended.port as number } : undefined;
  }, 180_000);
  /** GET through a dyno's probe: `/fetch?url=…` from inside it. */
  const fetchFrom = async (d: { ip: string; port: number }, url: string): Promise<FetchResult> => {
    const res = await fetch(`http://${d.ip}:${d.port}/fetch?${new URLSearchParams({ url, timeout: '2500' })}`, { signal: AbortSignal.timeout(15_000) });
    return (await res.json()) as FetchResult;
  };
  const readFrom = async (d: { ip: string; port: number }, file: string) => {
    const res = await fetch(`http://${d.ip}:${d.port}/read?${new URLSearchParams({ path: file })}`, { signal: AbortSignal.timeout(15_000) });
    return (await res.json()) as { ok: boolean; text?: string; code?: string };
  };
  const push = async (p: RunningPlatform, app: string) => {
    const r = await co.git(['push', '--force', remoteUrl(p.apiPort, app, p.token), 'HEAD:main']);
    assert.equal(r.code, 0, r.output);
    return r.output;
  };
  const env = () => ({ SLIPWAY_RUNTIME: 'runc', SLIPWAY_RUNC_BRIDGE: bridge, SLIPWAY_RUNC_SUBNET: subnet, SLIPWAY_STOP_GRACE_MS: '3000', SLIPWAY_LISTEN_HOST: '0.0.0.0' });

  before(async () => {
    // A host service on every address family, standing for sshd.
    sshd = net.createServer((s) => { s.on('error', () => undefined); s.end('HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nsshd'); });
    await new Promise<void>((r) => sshd.listen(0, '::', r));
    sshdPort = (sshd.address() as net.AddressInfo).port;
    first = await startPlatform({ env: env() });
    instanceA = (await readFile(path.join(first.dataDir, 'instance-id'), 'utf8')).trim();
    co = await checkout('probe-app');
    for (const app of [APP_A, APP_B]) {
      assert.equal((await api(first.url, first.token, 'POST', '/apps', { name: app })).status, 201);
      await push(first, app);
    }
    assert.equal((await api(first.url, first.token, 'PATCH', `/apps/${APP_A}/formation/web`, { quantity: 2 })).status, 200);
  });

  after(async () => {
    sshd?.close();
    for (const p of [second, first]) {
      if (!p) continue;
      await p.stop({ keepData: true }).catch(() => undefined);
      if (existsSync(p.dataDir)) {
        await cleanupRuncData(p.dataDir, { bridge, subnet }).catch(() => -1);
        await rm(p.dataDir, { recursive: true, force: true });
      }
    }
    // Whatever the test left of the killed platform (if it failed before its cleanup).
    if (instanceA && existsSync(cliBin)) await run(process.execPath, [cliBin, 'cleanup', '--instance', instanceA], { timeoutMs: 120_000 }).catch(() => undefined);
    await removeBridge({ bridge, subnet: parseCidr(subnet), routerPort: null }).catch(() => undefined);
    await co?.close();
  });

  test('from a dyno: own app yes; other app, API, sshd on every address, IPv6: no; the router is the way in', async () => {
    const a1 = await upDyno(first, APP_A, 'web.1');
    const a2 = await upDyno(first, APP_A, 'web.2');
    const b1 = await upDyno(first, APP_B, 'web.1');
    assert.equal((await fetchFrom(a1, `http://${a2.ip}:${a2.port}/`)).ok, true, 'same app');
    const other = otherHostAddress();
    const blocked = [
      `http://${b1.ip}:${b1.port}/`, `http://${gw}:${first.apiPort}/account`, `http://${gw}:${sshdPort}/`,
      ...(other ? [`http://${other}:${first.apiPort}/account`, `http://${other}:${sshdPort}/`] : []),
    ];
    for (const url of blocked) {
      const r = await fetchFrom(a1, url);
      assert.equal(r.ok, false, `${url} must be unreachable from a dyno: ${JSON.stringify(r)}`);
    }
    assert.equal((await fetchFrom(b1, `http://${a1.ip}:${a1.port}/`)).ok, false, 'the other way round');
    // No IPv6 at all in the dyno: no address to send from, none of the host's to reach.
    const six = await readFrom(a1, '/proc/net/if_inet6');
    assert.ok(!six.ok || (six.text ?? '').trim() === '', JSON.stringify(six));
    assert.equal((await fetchFrom(a1, `http://[::1]:${a1.port}/`)).ok, false);
    // The router's public port is the way in (to any app, as on Heroku), and the router reaches dynos.
    const viaRouter = await fetchFrom(a1, `http://${gw}:${first.routerPort}/`);
    assert.equal(viaRouter.ok, true, JSON.stringify(viaRouter));
    assert.equal((await hostGet(`http://127.0.0.1:${first.routerPort}/`, `${APP_B}.localhost`)).status, 200);
  });

  test('from a build: no dyno, no host address, no API', async () => {
    const a1 = await upDyno(first, APP_A, 'web.1');
    const b1 = await upDyno(first, APP_B, 'web.1');
    const other = otherHostAddress();
    const urls = [
      `http://${a1.ip}:${a1.port}/`, `http://${b1.ip}:${b1.port}/`, `http://${gw}:${first.apiPort}/account`, `http://${gw}:${first.routerPort}/`,
      `http://${gw}:${sshdPort}/`, `http://127.0.0.1:${first.apiPort}/account`, `http://[::1]:${first.apiPort}/account`,
      ...(other ? [`http://${other}:${first.apiPort}/account`, `http://${other}:${sshdPort}/`] : []),
    ];
    await writeFile(path.join(co.dir, 'package.json'), JSON.stringify({ name: 'probe', version: '1.0.0', private: true, scripts: { build: 'node build-probe.js' } }));
    await writeFile(path.join(co.dir, 'build-probe.js'), [
      `const urls = ${JSON.stringify(urls)};`,
      '(async () => { for (const u of urls) { try { const r = await fetch(u, { signal: AbortSignal.timeout(2500) }); console.log("BUILDPROBE " + u + " ok " + r.status); }',
      '  catch (e) { console.log("BUILDPROBE " + u + " " + ((e.cause && e.cause.code) || e.name)); } } })();',
    ].join('\n'));
    await co.commit('probe the network from the build');
    const out = await push(first, APP_B);
    const lines = out.split('\n').filter((l) => l.includes('BUILDPROBE '));
    assert.equal(lines.length, urls.length, out);
    for (const l of lines) assert.doesNotMatch(l, / ok \d+$/, `reachable from a build: ${l}`);
    await upDyno(first, APP_B, 'web.1');
  });

  test('stale rules of a killed platform give a reused address no access; cleanup removes all it left', async () => {
    const a1 = await upDyno(first, APP_A, 'web.1');
    const a2 = await upDyno(first, APP_A, 'web.2');
    const ids = runcList(first.dataDir).map((c) => c.id);
    const a1Id = ids.find((id) => id.startsWith(`${APP_A}.web-1.`));
    assert.ok(a1Id && ids.every((id) => id.includes(`.${instanceA}`)), JSON.stringify(ids));
    // A dyno's namespace (and its veth's name) is its container id, or a warm namespace's it took.
    const netnsOf = (id: string) => (JSON.parse(readFileSync(path.join(first.dataDir, 'runc', 'dynos', id, 'meta.json'), 'utf8')) as { netns: string }).netns;
    const nets = ids.map(netnsOf);
    const a1Net = netnsOf(a1Id);
    // SIGKILL the platform (its router process and dynos keep running), delete its data dir.
    const pid = platformPid(first.dataDir);
    assert.ok(pid);
    process.kill(pid, 'SIGKILL');
    await waitFor('platform gone', async () => (platformPid(first.dataDir) === undefined ? true : undefined), 20_000);
    // Its dynos' scratch filesystems are tmpfs mounts inside the data dir: detach them (lazily; the
    // running dynos keep theirs) so the directory can go, as an operator's `umount -l` + `rm -rf` would.
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const mountPoint = line.split(' ')[4];
      if (mountPoint?.startsWith(`${first.dataDir}/`)) execFileSync('umount', ['-l', mountPoint]);
    }
    await rm(first.dataDir, { recursive: true, force: true });
    // web.1's container and namespace go (a crash), its firewall rules stay.
    const cg = readdirSync('/sys/fs/cgroup').map((c) => path.join('/sys/fs/cgroup', c, 'slipway', a1Id)).filter((d) => existsSync(d));
    for (const d of cg) for (const p of readFileSync(path.join(d, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) { try { process.kill(Number(p), 'SIGKILL'); } catch { /* gone */ } }
    execFileSync('ip', ['netns', 'del', a1Net]);
    assert.match(execFileSync('iptables-save', ['-t', 'filter'], { encoding: 'utf8' }), new RegExp(vethNames(a1Net).host), 'the dead dyno\'s rules are still there');

    // The new platform without warm namespaces: made at its start, they would take the freed
    // addresses in their own order, and this scenario needs the dead dyno's address given to a
    // dyno of the next app. (A warm namespace's veth has a new name: stale rules never match it.)
    second = await startPlatform({ env: { ...env(), SLIPWAY_RUNC_WARM_NETNS: '0' } });
    assert.equal((await api(second.url, second.token, 'POST', '/apps', { name: APP_C })).status, 201);
    await push(second, APP_C);
    // Enough dynos to take every address freed meanwhile: one of them gets the dead dyno's.
    assert.equal((await api(second.url, second.token, 'PATCH', `/apps/${APP_C}/formation/web`, { quantity: 3 })).status, 200);
    const cs = await Promise.all(['web.1', 'web.2', 'web.3'].map((n) => upDyno(second!, APP_C, n)));
    const c1 = cs.find((c) => c.ip === a1.ip);
    assert.ok(c1, `no dyno of the new app got the dead dyno's address ${a1.ip}: ${JSON.stringify(cs)}`);
    const r = await fetchFrom(c1, `http://${a2.ip}:${a2.port}/`);
    assert.equal(r.ok, false, `another app's dyno reached through stale rules: ${JSON.stringify(r)}`);
    assert.doesNotMatch(execFileSync('iptables-save', ['-t', 'filter'], { encoding: 'utf8' }), new RegExp(vethNames(a1Net).host), 'reconciled away at start');

    // `slipway cleanup --orphans`: the killed platform's every trace goes; the running one stays.
    const before = hostTraces(instanceA);
    assert.ok(before.processes.length >= 2 && before.netns.length >= 2 && before.rules.length > 0 && before.owner, JSON.stringify(before));
    const cleaned = await run(process.execPath, [cliBin, 'cleanup', '--orphans'], { timeoutMs: 180_000 });
    assert.equal(cleaned.code, 0, cleaned.output);
    assert.match(cleaned.output, new RegExp(`instance ${instanceA}: removed`));
    const left = hostTraces(instanceA, [...ids, ...nets, ...before.netns]);
    assert.deepEqual(left, { processes: [], cgroups: [], netns: [], links: [], rules: [], claims: [], mounts: [], owner: false });
    assert.equal((await hostGet(`http://127.0.0.1:${second.routerPort}/`, `${APP_C}.localhost`)).status, 200, 'the other platform still serves');
  });
});

/** Everything of an instance on the host, by kind (its container ids, instance id and data dir). */
function hostTraces(instance: string, ids: string[] = []) {
  const mine = (s: string) => s.includes(instance);
  const processes: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const envs = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (mine(cmd) || envs.split('\0').includes(`SLIPWAY_INSTANCE_ID=${instance}`)) processes.push(cmd.split('\0').join(' ').slice(0, 100));
    } catch {
      // ended
    }
  }
  const cgroups = readdirSync('/sys/fs/cgroup').flatMap((c) => {
    try {
      return readdirSync(path.join('/sys/fs/cgroup', c, 'slipway')).filter(mine).map((d) => `${c}/${d}`);
    } catch {
      return [];
    }
  });
  const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]).filter(mine);
  const allLinks = execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' });
  const links = ids.flatMap((id) => [vethNames(id).host, vethNames(id, 'build').host]).filter((v) => allLinks.includes(` ${v}`));
  const rules = execFileSync('iptables-save', ['-t', 'filter'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(`slw:${instance}`));
  const claims: string[] = [];
  for (const br of existsSync('/run/slipway/claims') ? readdirSync('/run/slipway/claims') : []) {
    for (const ip of readdirSync(path.join('/run/slipway/claims', br))) if (mine(readFileSync(path.join('/run/slipway/claims', br, ip), 'utf8'))) claims.push(`${br}/${ip}`);
  }
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(mine);
  return { processes, cgroups, netns, links, rules, claims, mounts, owner: existsSync(`/run/slipway/instances/${instance}.json`) };
}
