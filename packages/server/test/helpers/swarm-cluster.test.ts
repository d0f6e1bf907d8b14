/**
 * Self-test of the Swarm cluster helper: two dockerd nodes join one swarm, a killed node is seen
 * down by the manager, and stop() leaves no process, mount, netns, link or directory behind.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { startSwarmCluster, swarmClusterUnavailable } from './swarm-cluster.js';

const why = swarmClusterUnavailable();

test('two dockerds in their own netns join one swarm; a killed node goes down; stop leaves nothing', { skip: why ?? false, timeout: 180_000 }, async () => {
  const c = await startSwarmCluster({ nodes: 2, name: 'swcself' });
  try {
    const ls = (await c.docker(0, ['node', 'ls', '--format', '{{.Hostname}} {{.Status}} {{.ManagerStatus}}'])).split('\n').map((l) => l.trim()).sort();
    assert.deepEqual(ls, ['swcself-node1 Ready Leader', 'swcself-node2 Ready']);
    // Each node answers on its own socket, from its own address.
    assert.equal(await c.docker(1, ['info', '--format', '{{.Swarm.NodeAddr}}']), c.nodes[1]!.address);
    await c.killNode(1);
    assert.throws(() => execFileSync('docker', ['-H', c.nodes[1]!.dockerHost, 'version'], { stdio: 'ignore', timeout: 10_000 }));
    const deadline = Date.now() + 60_000;
    let status = '';
    while (Date.now() < deadline) {
      status = await c.docker(0, ['node', 'inspect', 'swcself-node2', '--format', '{{.Status.State}}']);
      if (status === 'down') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(status, 'down');
  } finally {
    await c.stop();
  }
  assert.equal(existsSync(c.dir), false);
  for (const n of c.nodes) assert.equal(existsSync(n.netnsPath), false);
  const links = execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' });
  assert.doesNotMatch(links, /swcself/);
  assert.doesNotMatch(await readFile('/proc/self/mountinfo', 'utf8'), new RegExp(c.dir));
  const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  assert.doesNotMatch(ps, /swcself/);
});
