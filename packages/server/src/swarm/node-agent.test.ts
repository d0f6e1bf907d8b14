/**
 * The node agent (swarm-agent/node-agent.cjs): its cgroup reading on v1 and v2 trees, and the
 * agent as a real process on this host reading a real cgroup that holds a real process, shipping to
 * a real usage intake.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, rmdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { silentLogger } from '../log/index.js';
import { createUsageIntake, nodeAgentSource } from './usage-intake.js';

const agentPath = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'swarm-agent', 'node-agent.cjs');
const agent = createRequire(import.meta.url)(existsSync(agentPath) ? agentPath : path.resolve('packages/server/swarm-agent/node-agent.cjs'));
const ID = 'c'.repeat(64);

async function tree(files: Record<string, string>) {
  const root = await mkdtemp(path.join(os.tmpdir(), 'slipway-agent-'));
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), text);
  }
  return root;
}

test('v1 (cgroupfs driver): memory without the inactive file cache, rss, cache, swap, CPU in µs', async () => {
  const root = await tree({
    [`memory/docker/${ID}/memory.usage_in_bytes`]: '1000000\n',
    [`memory/docker/${ID}/memory.stat`]: 'cache 999\ntotal_cache 300000\ntotal_rss 600000\ntotal_swap 4096\ntotal_inactive_file 250000\n',
    [`cpuacct/docker/${ID}/cpuacct.usage`]: '7500000000\n',
  });
  try {
    assert.equal(await agent.cgroupVersion(root), 1);
    assert.deepEqual(await agent.readContainer(root, 1, ID), { id: ID, memoryBytes: 750000, cpuMicros: 7_500_000, rssBytes: 600000, cacheBytes: 300000, swapBytes: 4096 });
    assert.equal(await agent.readContainer(root, 1, 'd'.repeat(64)), undefined);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('v2 (systemd driver): memory.current − inactive_file, anon, file, swap.current, usage_usec', async () => {
  const dir = `system.slice/docker-${ID}.scope`;
  const root = await tree({
    'cgroup.controllers': 'cpu memory pids\n',
    [`${dir}/memory.current`]: '5000\n',
    [`${dir}/memory.stat`]: 'anon 3000\nfile 1500\ninactive_file 1000\n',
    [`${dir}/memory.swap.current`]: '0\n',
    [`${dir}/cpu.stat`]: 'usage_usec 1234\nuser_usec 1000\n',
  });
  try {
    assert.equal(await agent.cgroupVersion(root), 2);
    assert.deepEqual(await agent.readContainer(root, 2, ID), { id: ID, memoryBytes: 4000, cpuMicros: 1234, rssBytes: 3000, cacheBytes: 1500, swapBytes: 0 });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a summary reads only the wanted ids that look like container ids', async () => {
  const root = await tree({ [`memory/docker/${ID}/memory.usage_in_bytes`]: '10\n', [`memory/docker/${ID}/memory.stat`]: '' });
  try {
    const s = await agent.summary({ cgroupRoot: root, nodeId: 'n1', hostname: 'h' }, [ID, ID, '../../etc', 'e'.repeat(64)]);
    assert.equal(s.node.id, 'n1');
    assert.ok(s.node.cpus >= 1 && s.node.memoryTotalBytes > 0);
    assert.deepEqual(s.containers, [{ id: ID, memoryBytes: 10, cpuMicros: 0 }]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('the agent refuses to start without its intake URL and token', () => {
  assert.throws(() => agent.options({}), /SLIPWAY_USAGE_URL is not set/);
  assert.throws(() => agent.options({ SLIPWAY_USAGE_URL: 'http://x/usage' }), /SLIPWAY_USAGE_TOKEN is not set/);
});

const v1Root = '/sys/fs/cgroup';
const realV1 = process.getuid?.() === 0 && existsSync(path.join(v1Root, 'memory', 'memory.usage_in_bytes'));

test('the agent as a process (node -e, as the service runs it) reports a real cgroup\'s memory and CPU to a real intake', {
  skip: realV1 ? false : 'needs root on a cgroup v1 host',
}, async () => {
  const id = randomBytes(32).toString('hex');
  const made: string[] = [];
  const ensure = async (dir: string) => {
    if (existsSync(dir)) return;
    await mkdir(dir);
    made.unshift(dir);
  };
  for (const ctl of ['memory', 'cpuacct']) {
    await ensure(path.join(v1Root, ctl, 'docker'));
    await ensure(path.join(v1Root, ctl, 'docker', id));
  }
  // A "dyno": holds ~40 MB of touched memory and burns CPU, inside the cgroup.
  const dyno = spawn(process.execPath, ['-e', 'const b=Buffer.alloc(40e6,1);let x=0;setInterval(()=>{for(let i=0;i<2e6;i++)x+=i},10);']);
  const intake = await createUsageIntake({ listenHost: '127.0.0.1', port: 0, logger: silentLogger, intervalMs: 300 });
  let agentProc: ReturnType<typeof spawn> | undefined;
  try {
    for (const ctl of ['memory', 'cpuacct']) await writeFile(path.join(v1Root, ctl, 'docker', id, 'cgroup.procs'), String(dyno.pid));
    assert.equal(intake.usageFor(id), undefined);
    agentProc = spawn(process.execPath, ['-e', `${nodeAgentSource()}\nmodule.exports.main();`], {
      env: {
        SLIPWAY_USAGE_URL: `http://127.0.0.1:${intake.address.port}/usage`, SLIPWAY_USAGE_TOKEN: intake.token,
        SLIPWAY_USAGE_INTERVAL_MS: '300', SLIPWAY_NODE_ID: 'this-host', SLIPWAY_CGROUP_ROOT: v1Root,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    agentProc.stdout!.on('data', (c) => (out += c));
    agentProc.stderr!.on('data', (c) => (out += c));
    const deadline = Date.now() + 20_000;
    let u = intake.usageFor(id);
    while ((!u || u.memoryBytes < 30e6 || u.cpuMicros === 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      u = intake.usageFor(id);
    }
    assert.ok(u, `no usage arrived; agent said: ${out}`);
    assert.ok(u.memoryBytes >= 30e6, `memory ${u.memoryBytes}`);
    assert.ok(u.cpuMicros > 0 && (u.rssBytes ?? 0) >= 30e6, JSON.stringify(u));
    const node = intake.nodes().find((n) => n.nodeId === 'this-host');
    assert.ok(node && node.containers.includes(id) && node.dynoMemoryBytes === u.memoryBytes);
    assert.match(out, /at=start node=this-host/);
  } finally {
    agentProc?.kill('SIGTERM');
    dyno.kill('SIGKILL');
    await new Promise((r) => dyno.once('exit', r));
    await intake.close();
    for (const dir of made) {
      for (let i = 0; i < 50; i++) {
        try {
          await rmdir(dir);
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
  }
});
