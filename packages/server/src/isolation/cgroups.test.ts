import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { cgroupVersionFromMountinfo, createCgroupReader, ensureParentCpuWeight, parentCpuWeight, parseFlatKeyed } from './cgroups.js';

const V1 = `25 30 0:22 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755
26 25 0:23 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
27 25 0:24 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw`;
const V2 = `25 30 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate`;

describe('cgroups', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const fakeRoot = async (files: Record<string, string>) => {
    const root = await mkdtemp(path.join(tmpdir(), 'slipway-cgroup-'));
    dirs.push(root);
    for (const [f, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(root, f)), { recursive: true });
      await writeFile(path.join(root, f), content);
    }
    return root;
  };

  it('tells v1/hybrid from v2 from the mount table', () => {
    assert.equal(cgroupVersionFromMountinfo(V1), 1);
    assert.equal(cgroupVersionFromMountinfo(V2), 2);
    assert.equal(cgroupVersionFromMountinfo('1 0 0:1 / / rw - ext4 /dev/vda rw'), null);
  });

  it('parses flat keyed files', () => {
    assert.deepEqual(parseFlatKeyed('oom_kill_disable 0\nunder_oom 0\noom_kill 2\n'), { oom_kill_disable: 0, under_oom: 0, oom_kill: 2 });
  });

  it('reads v1 usage without inactive page cache, CPU in microseconds, OOM kills', async () => {
    const root = await fakeRoot({
      'memory/slipway/c1/memory.usage_in_bytes': '50000000\n',
      'memory/slipway/c1/memory.stat': 'cache 1000\ntotal_rss 30000000\ntotal_cache 15000000\ntotal_inactive_file 10000000\n',
      'memory/slipway/c1/memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n',
      'memory/slipway/c1/cgroup.procs': '1\n',
      'cpuacct/slipway/c1/cpuacct.usage': '2500000\n',
    });
    const r = createCgroupReader(1, root);
    // no total_swap without swap accounting: left out
    assert.deepEqual(await r.usage('/slipway/c1'), { memoryBytes: 40000000, cpuMicros: 2500, rssBytes: 30000000, cacheBytes: 15000000 });
    assert.equal(await r.oomKills('/slipway/c1'), 1);
    assert.equal(await r.exists('/slipway/c1'), true);
    assert.equal(await r.usage('/slipway/gone'), undefined);
    assert.equal(await r.oomKills('/slipway/gone'), undefined);
  });

  it('reads v2 usage, CPU and OOM kills', async () => {
    const root = await fakeRoot({
      'slipway/c2/memory.current': '30000000\n',
      'slipway/c2/memory.stat': 'anon 1\nfile 6000000\ninactive_file 5000000\n',
      'slipway/c2/memory.swap.current': '4096\n',
      'slipway/c2/memory.events': 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n',
      'slipway/c2/cpu.stat': 'usage_usec 777\nuser_usec 700\n',
      'slipway/c2/cgroup.procs': '',
    });
    const r = createCgroupReader(2, root);
    assert.deepEqual(await r.usage('/slipway/c2'), { memoryBytes: 25000000, cpuMicros: 777, rssBytes: 1, cacheBytes: 6000000, swapBytes: 4096 });
    assert.equal(await r.oomKills('/slipway/c2'), 1);
  });

  it('weighs the containers\' parent cgroup as one standard share per CPU (kubepods-like)', async () => {
    assert.deepEqual(parentCpuWeight(1, 2), { file: 'cpu.shares', value: 2048 });
    assert.deepEqual(parentCpuWeight(2, 4), { file: 'cpu.weight', value: 400 });
    assert.deepEqual(parentCpuWeight(1, 0), { file: 'cpu.shares', value: 1024 });
    assert.equal(parentCpuWeight(1, 1000).value, 262_144);
    assert.equal(parentCpuWeight(2, 1000).value, 10_000);
    const v1 = await fakeRoot({ 'cpu/other/cpu.shares': '1024\n' });
    assert.equal(await ensureParentCpuWeight(1, 2, v1), true);
    assert.equal(await readFile(path.join(v1, 'cpu/slipway/cpu.shares'), 'utf8'), '2048');
    const v2 = await fakeRoot({});
    assert.equal(await ensureParentCpuWeight(2, 3, v2), true);
    assert.equal(await readFile(path.join(v2, 'slipway/cpu.weight'), 'utf8'), '300');
    assert.equal(await ensureParentCpuWeight(1, 2, path.join(v2, 'slipway/cpu.weight')), false);
  });
});
