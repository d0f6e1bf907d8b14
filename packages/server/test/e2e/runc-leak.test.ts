/**
 * Soak test of the runc driver (issue 5: "a start/stop loop of 200 dynos leaves no mounts, veths,
 * cgroups or bundle dirs behind"): 200 dynos through the real driver, 10 at a time, across 10
 * apps, web and worker, most stopped with SIGTERM, some ending on their own, some SIGKILLed; then
 * the host's mounts, links, netns, cgroups, iptables rules, bundle dirs, leases, conmon processes
 * and runc containers that belong to this test must be exactly what they were before (after one
 * warm-up dyno made the bridge, its chains and the unpacked slug). A snapshot taken while one dyno
 * runs shows it in every one of those kinds, so a leak of any of them would show.
 * Skipped with the reason when runc is not usable here. Uses its own bridge and /24 subnet.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findDynoSize, type DynoSize } from '@slipway/contract';
import { testConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log/index.js';
import { appChain, chainNames, isRuncUsable, loadInstanceId, parseCidr, removeBridge, vethNames } from '../../src/isolation/index.js';
import { recorder } from '../../src/dynos/driver.case.js';
import type { DynoSpec, RuntimeDriver } from '../../src/dynos/driver.js';
import { createRuncDriver } from '../../src/dynos/runc-driver.js';
import { freeSubnet, snapshotHost } from './runc-probe.js';

const usable = await isRuncUsable();
const TOTAL = 200;
const CONCURRENCY = 10;
const APPS = 10;
const WARM_TOTAL = 40;

describe('runc driver: 200 starts and stops leave nothing behind', { skip: usable.usable ? false : `runc is not usable here: ${usable.reason}`, timeout: 900_000 }, () => {
  const bridge = `slwl${randomBytes(3).toString('hex')}`;
  const subnet = freeSubnet();
  const bridgeNet = { bridge, subnet: parseCidr(subnet), routerPort: null };
  const prefix = `leak${randomBytes(2).toString('hex')}`;
  const size = findDynoSize('standard-1x') as DynoSize;
  let tmp: string;
  let dataDir: string;
  let slugPath: string;
  let driver: RuntimeDriver;
  const markers = new Set<string>();

  const mine = (line: string) => [...markers].some((m) => line.includes(m));
  const spec = (n: number): DynoSpec => {
    const app = n % APPS;
    const web = n % 2 === 0;
    return {
      appId: `${prefix}-id-${app}`, appName: `${prefix}-${app}`, name: `${web ? 'web' : 'worker'}.${n}`, type: web ? 'web' : 'worker',
      // Every fifth dyno ends on its own; every seventh ignores SIGTERM (SIGKILL after the grace).
      command: n % 5 === 0 ? 'echo bye; exit 3' : n % 7 === 0 ? "trap '' TERM; echo up; while :; do sleep 1; done" : 'echo up; exec sleep 600',
      slugPath, releaseVersion: 1, size, env: {}, needsPort: web,
    };
  };

  before(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'slipway-leak-'));
    dataDir = path.join(tmp, 'data');
    const src = path.join(tmp, 'src', 'app');
    await mkdir(src, { recursive: true });
    await writeFile(path.join(src, 'Procfile'), 'web: sleep 600\n');
    slugPath = path.join(tmp, 'slug.tgz');
    execFileSync('tar', ['-czf', slugPath, '-C', path.join(tmp, 'src'), './app']);
    // No warm namespaces here: each dyno's every resource is its own, made and removed by its start
    // and stop. The second test runs the same cycles with them.
    driver = createRuncDriver({ config: testConfig(), logger: silentLogger, dataDir, network: { bridge, subnet }, warmNetns: 0 });
    // The driver's instance id (made in the data dir) is part of the app chains' names.
    const instance = await loadInstanceId(dataDir);
    const net = { bridge, subnet: parseCidr(subnet), routerPort: null, instance };
    for (const m of [dataDir, tmp, bridge, subnet.replace(/0\/24$/, ''), prefix, ...Object.values(chainNames(net))]) markers.add(m);
    for (let app = 0; app < APPS; app++) markers.add(appChain(net, `${prefix}-id-${app}`));
  });

  after(async () => {
    if (driver) {
      for (const ref of await driver.list().catch(() => [])) await driver.stop({ ref, host: null, port: null }, { graceMs: 0 }).catch(() => undefined);
      await driver.close();
    }
    await removeBridge(bridgeNet).catch(() => undefined);
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  const cycle = async (n: number) => {
    const rec = recorder(60_000);
    const s = spec(n);
    const h = await driver.start(s, rec.events);
    const id = String(h.ref.id);
    const v = vethNames(id);
    markers.add(v.host);
    markers.add(v.peer);
    await rec.waitLine((l) => l === 'up' || l === 'bye');
    if (n % 5 === 0) {
      assert.deepEqual(await rec.waitExit(), { code: 3, signal: null });
    } else {
      const { killed } = await driver.stop(h, { graceMs: n % 7 === 0 ? 300 : 10_000 });
      assert.equal(killed, n % 7 === 0, `dyno ${n}`);
    }
    assert.equal(rec.exits.length, 1);
    assert.equal((await driver.inspect(h)).running, false);
  };

  test(`${TOTAL} dynos, ${CONCURRENCY} at a time`, async (t) => {
    await cycle(TOTAL); // warm-up: the bridge, its chains, the unpacked slug
    const before = snapshotHost(dataDir, mine);
    assert.ok(before.links.includes(bridge), JSON.stringify(before.links));
    // The snapshot does see a running dyno's every resource (so it can see a leaked one).
    const rec = recorder(60_000);
    const sentinel = await driver.start({ ...spec(1), name: 'web.0', type: 'web', needsPort: true, command: 'echo up; exec sleep 600' }, rec.events);
    for (const v of Object.values(vethNames(String(sentinel.ref.id)))) markers.add(v);
    await rec.waitLine((l) => l === 'up');
    const during = snapshotHost(dataDir, mine);
    for (const [kind, lines] of Object.entries(during) as [keyof typeof during, string[]][]) {
      assert.ok(lines.length > before[kind].length, `a running dyno shows in ${kind}: ${JSON.stringify(lines)}`);
    }
    await driver.stop(sentinel, { graceMs: 10_000 });
    assert.deepEqual(snapshotHost(dataDir, mine), before);
    const t0 = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < TOTAL) await cycle(next++);
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    t.diagnostic(`${TOTAL} start/stop cycles in ${Math.round((Date.now() - t0) / 1000)} s`);
    assert.deepEqual(await driver.list(), []);
    const afterSnap = snapshotHost(dataDir, mine);
    assert.deepEqual(afterSnap, before);
    // And what "before" holds is only the bridge's own state: no dyno's anything.
    assert.deepEqual(before.netns, []);
    assert.deepEqual(before.cgroups, []);
    assert.deepEqual(before.containers, []);
    assert.deepEqual(before.processes, []);
    assert.deepEqual(before.files.filter((f) => !f.startsWith('state')), []);
    beforeAll = before;
  });

  let beforeAll: ReturnType<typeof snapshotHost> | undefined;

  test(`${WARM_TOTAL} dynos through a driver keeping warm namespaces: once it is closed, nothing is left`, async (t) => {
    assert.ok(beforeAll, 'the first test ran');
    await driver.close();
    driver = createRuncDriver({ config: testConfig(), logger: silentLogger, dataDir, network: { bridge, subnet }, warmNetns: 2 });
    const t0 = Date.now();
    let next = 1000;
    const worker = async () => {
      while (next < 1000 + WARM_TOTAL) await cycle(next++);
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    t.diagnostic(`${WARM_TOTAL} start/stop cycles with warm namespaces in ${Math.round((Date.now() - t0) / 1000)} s`);
    assert.deepEqual(await driver.list(), []);
    await driver.close();
    assert.deepEqual(snapshotHost(dataDir, mine), beforeAll);
  });
});
