/**
 * Warm network namespaces: the pool's rules on plain functions, then on real runc containers (a
 * start takes a ready namespace, its dyno is reachable there, stopping removes it, close removes
 * the ready ones). The real part uses its own bridge and subnet and is skipped, with the reason,
 * where runc is not usable.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it, after, before } from 'node:test';
import { findDynoSize } from '@slipway/contract';
import { testConfig } from '../config.js';
import { silentLogger } from '../log/index.js';
import { isRuncUsable, parseCidr, removeBridge } from '../isolation/index.js';
import { recorder, until } from './driver.case.js';
import type { DynoHandle, RuntimeDriver } from './driver.js';
import type { RuncRef } from './runc-driver.js';
import { createRuncDriver } from './runc-driver.js';
import { createWarmNetnsPool, type WarmNetns } from './runc-driver-warm-netns.js';

describe('warm namespace pool', () => {
  const kit = (size: number, failFirst = 0) => {
    let n = 0;
    let failures = failFirst;
    const discarded: string[] = [];
    const pool = createWarmNetnsPool({
      size, logger: silentLogger, retryMs: 10,
      make: async () => {
        if (failures > 0) {
          failures--;
          throw new Error('ip: no');
        }
        return { id: `w${++n}`, ip: `10.0.0.${n}` };
      },
      discard: async (w: WarmNetns) => {
        discarded.push(w.id);
      },
    });
    return { pool, discarded };
  };

  it('fills to its size, hands each namespace out once and refills', async () => {
    const { pool, discarded } = kit(2);
    assert.equal(pool.take(), null, 'nothing ready before it filled');
    await until(() => pool.ready() === 2, 2000, 'two ready');
    const a = pool.take();
    const b = pool.take();
    assert.deepEqual([a?.id, b?.id], ['w1', 'w2']);
    await until(() => pool.ready() === 2, 2000, 'refilled');
    assert.deepEqual([pool.take()?.id, pool.take()?.id], ['w3', 'w4'], 'never handed out twice');
    await until(() => pool.ready() === 2, 2000, 'refilled again');
    await pool.close();
    assert.equal(pool.ready(), 0);
    assert.equal(discarded.length, 2, 'the ones still ready (or being made) are removed; those taken are their dynos\'');
  });

  it('tries again after a failed make; size 0 makes none', async () => {
    const { pool } = kit(1, 2);
    pool.fill();
    await until(() => pool.ready() === 1, 2000, 'ready after two failures');
    await pool.close();
    const off = kit(0);
    off.pool.fill();
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(off.pool.take(), null);
    await off.pool.close();
  });
});

const usable = await isRuncUsable();

describe('runc driver with warm namespaces', { skip: usable.usable ? false : `runc is not usable here: ${usable.reason}`, timeout: 120_000 }, () => {
  const bridge = `slwn${randomBytes(3).toString('hex')}`;
  const subnet = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}.0/24`;
  let tmp: string;
  let slugPath: string;
  let driver: RuntimeDriver | undefined;
  const started: DynoHandle[] = [];
  const netnsList = () => spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(' ')[0]).filter(Boolean);
  const leases = () => spawnSync('ls', [path.join(tmp, 'data', 'runc', 'leases')], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);

  before(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'slipway-warm-'));
    await mkdir(path.join(tmp, 'src', 'app'), { recursive: true });
    await writeFile(path.join(tmp, 'src', 'app', 'web.js'), `require('http').createServer((q, s) => s.end('hi from ' + process.env.DYNO)).listen(Number(process.env.PORT));`);
    slugPath = path.join(tmp, 'slug.tgz');
    const tar = spawnSync('tar', ['-czf', slugPath, '-C', path.join(tmp, 'src'), './app'], { encoding: 'utf8' });
    assert.equal(tar.status, 0, tar.stderr);
  });

  after(async () => {
    for (const h of started) await driver?.stop(h, { graceMs: 0 }).catch(() => undefined);
    await driver?.close();
    await removeBridge({ bridge, subnet: parseCidr(subnet), routerPort: null });
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('a start takes a ready namespace, serves from it, and leaves nothing of it when stopped; close removes the ready ones', async () => {
    driver = createRuncDriver({ config: testConfig({ runcWarmNetns: 1 }), logger: silentLogger, dataDir: path.join(tmp, 'data'), network: { bridge, subnet } });
    await driver.list();
    const spec = (name: string) => ({
      appId: 'app-w', appName: 'appw', name, type: 'web', command: `exec node web.js`, slugPath,
      releaseVersion: 1, size: findDynoSize('standard-1x')!, env: {}, needsPort: true,
    });
    // The first start readies the driver (bridge, firewall) and begins filling the pool.
    const r1 = recorder();
    const first = await driver.start(spec('web.1'), r1.events);
    started.push(first);
    const instance = readFileSync(path.join(tmp, 'data', 'instance-id'), 'utf8').trim();
    const netnsOf = (h: DynoHandle) => JSON.parse(readFileSync(path.join((h.ref as RuncRef).dir, 'meta.json'), 'utf8')).netns as string;
    const warm = () => netnsList().filter((n) => n.startsWith(`warm.netns.${instance}`));
    /** Warm namespaces no dyno has taken. */
    const readyOnes = () => warm().filter((n) => !started.some((h) => netnsOf(h) === n));
    await until(() => readyOnes().length === 1, 20_000, 'one warm namespace ready');
    const [ready] = readyOnes();

    const r2 = recorder();
    const second = await driver.start(spec('web.2'), r2.events);
    started.push(second);
    const ref = second.ref as RuncRef;
    assert.equal(netnsOf(second), ready, 'the second dyno runs in the warm namespace');
    assert.notEqual((first.ref as RuncRef).ip, ref.ip);
    const got = await until(async () => {
      try {
        return (await (await fetch(`http://${second.host}:${second.port}/`, { signal: AbortSignal.timeout(1000) })).text()) === 'hi from web.2';
      } catch {
        return false;
      }
    }, 20_000, 'web.2 answering from the warm namespace');
    assert.equal(got, undefined);
    await until(() => readyOnes().length === 1, 20_000, 'the pool refilled');
    const taken = started.map(netnsOf);

    for (const h of started.splice(0)) await driver.stop(h, { graceMs: 1000 });
    for (const n of taken) assert.ok(!netnsList().includes(n), `${n} went with its dyno`);
    assert.ok(!leases().includes(ref.ip as string), 'and its address lease');
    await driver.close();
    driver = undefined;
    assert.deepEqual(warm(), [], 'close removed the ready ones');
    assert.deepEqual(leases(), []);
  });
});
