/**
 * On a real Swarm (test/helpers/swarm-cluster.ts: two dockerds, each in its own netns, joined over
 * a test bridge) with Debian's docker-registry: the node agent runs as the global service the usage
 * intake describes and reports the dynos of its own node; `nodes` lists both nodes with their dynos,
 * reservations and usage; the join command; an unknown node refused; a drain pauses the node, moves
 * its dynos one at a time, then drains it; activate.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { fileURLToPath } from 'node:url';
import { nodeRoutes } from '../api/routes/nodes.js';
import { silentLogger } from '../log/index.js';
import { startTestApi } from '../../test/helpers/api-server.js';
import { freePort } from '../../test/helpers/platform.js';
import { startSwarmCluster, swarmClusterUnavailable, type SwarmCluster } from '../../test/helpers/swarm-cluster.js';
import { createSwarmNodes } from './nodes.js';
import { startSwarmRegistry } from './registry.js';
import { AGENT_SERVICE_NAME, createUsageIntake } from './usage-intake.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const fromDist = here.includes(`${path.sep}dist${path.sep}`);
const repoRoot = path.resolve(here, fromDist ? '../../../../..' : '../../../..');
/** The real `slipway` CLI: built when the tests run from dist, else its source through tsx. */
const cliArgs = fromDist
  ? [path.join(repoRoot, 'packages/cli/dist/src/bin.js')]
  : ['--import', import.meta.resolve('tsx'), path.join(repoRoot, 'packages/cli/src/bin.ts')];
const why = swarmClusterUnavailable();

/** An image with just this host's node and the libraries it links (what the agent and the test dynos need). */
async function nodeImageTar(dir: string): Promise<string> {
  const node = (await run('readlink', ['-f', process.execPath])).stdout.trim();
  const libs = (await run('ldd', [node])).stdout.split('\n').map((l) => /(\/\S+) \(0x/.exec(l)?.[1]).filter((p): p is string => !!p);
  const tar = path.join(dir, 'rootfs.tar');
  await run('tar', ['-chf', tar, '-C', '/', ...[node, ...libs].map((p) => p.replace(/^\//, ''))]);
  return tar;
}

const until = async <T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 90_000): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
};

test('the node agent, the usage intake and the nodes listing and drain on a real two-node swarm', { skip: why ?? false, timeout: 300_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-nodes-'));
  let cluster: SwarmCluster | undefined;
  const closers: (() => Promise<unknown>)[] = [];
  try {
    cluster = await startSwarmCluster({ nodes: 2, name: 'swnodes' });
    const c = cluster;
    const registry = await startSwarmRegistry({ listenHost: c.advertiseAddr, port: await freePort(), dataDir: dir, logger: silentLogger });
    closers.push(() => registry.close());
    const image = `${registry.address}/slipway/node-test:1`;
    await c.docker(0, ['import', await nodeImageTar(dir), image]);
    await c.docker(0, ['push', image]);

    const intake = await createUsageIntake({ listenHost: c.advertiseAddr, port: 0, logger: silentLogger, intervalMs: 1000 });
    closers.push(() => intake.close());
    const docker = new Dockerode({ socketPath: c.dockerHost.replace(/^unix:\/\//, '') });
    await docker.createService(intake.agentServiceSpec(image));

    // One "dyno" per node: holds ~40 MB, labelled as the swarm driver labels dynos.
    const hostnames = c.nodes.map((n) => n.name);
    const dyno = (i: number) => docker.createService({
      Name: `slw-test-web-${i + 1}`,
      Labels: { 'slipway.app-id': 'app-id-1', 'slipway.app': 'myapp', 'slipway.dyno': `web.${i + 1}`, 'slipway.type': 'web' },
      TaskTemplate: {
        ContainerSpec: {
          Image: image, Command: [process.execPath.startsWith('/usr/bin') ? process.execPath : '/usr/bin/node', '-e', 'const b=Buffer.alloc(40e6,1);setInterval(()=>b[0]++,1000)'],
          Labels: { 'slipway.app-id': 'app-id-1', 'slipway.app': 'myapp', 'slipway.dyno': `web.${i + 1}`, 'slipway.type': 'web', 'slipway.dyno-key': `key-${i}` },
        },
        Networks: [{ Target: 'host' }],
        Placement: { Constraints: [`node.hostname==${hostnames[i]}`] },
        Resources: { Reservations: { MemoryBytes: 64 * 1024 * 1024, NanoCPUs: 250_000_000 } },
        RestartPolicy: { Condition: 'none' },
      },
      EndpointSpec: { Mode: 'dnsrr' },
    } as Dockerode.CreateServiceOptions);
    await dyno(0);
    await dyno(1);
    const containers = await until('both dynos running', async () => {
      const tasks = await docker.listTasks({ filters: { 'desired-state': ['running'] } }) as { Status?: { State?: string; ContainerStatus?: { ContainerID?: string } }; Spec?: { ContainerSpec?: { Labels?: Record<string, string> } } }[];
      const running = tasks.filter((t) => t.Spec?.ContainerSpec?.Labels?.['slipway.dyno'] && t.Status?.State === 'running');
      return running.length === 2 ? running.map((t) => t.Status!.ContainerStatus!.ContainerID!) : undefined;
    });
    const usages = await until('usage of both dynos from their nodes\' agents', () => {
      const u = containers.map((id) => intake.usageFor(id));
      return u.every((x) => x && x.memoryBytes > 30e6) ? u : undefined;
    });
    for (const u of usages) assert.ok(u!.memoryBytes < 200e6 && u!.cpuMicros > 0, JSON.stringify(u));

    const cycled: string[] = [];
    const availabilityOf = async (name: string) => (await nodes.list()).find((n) => n.hostname === name)?.availability;
    const nodes = createSwarmNodes({
      docker, usage: intake, logger: silentLogger,
      cycleDyno: async (appId, name) => {
        assert.equal(await availabilityOf(hostnames[1]), 'pause', 'dynos move while the node is paused, not yet drained');
        cycled.push(`${appId} ${name}`);
      },
    });
    const list = await until('both nodes reported by their agents', async () => {
      const l = await nodes.list();
      return l.length === 2 && l.every((n) => n.used && n.used.memory_bytes > 30e6) ? l : undefined;
    });
    assert.deepEqual(list.map((n) => [n.hostname, n.role, n.leader, n.state, n.availability]), [
      [hostnames[0], 'manager', true, 'ready', 'active'], [hostnames[1], 'worker', false, 'ready', 'active'],
    ]);
    assert.deepEqual(list.map((n) => n.address), c.nodes.map((n) => n.address));
    assert.deepEqual(list.map((n) => n.dynos.map((d) => `${d.app} ${d.dyno}`)), [['myapp web.1'], ['myapp web.2']]);
    for (const n of list) {
      assert.deepEqual(n.reserved, { cpus: 0.25, memory_bytes: 64 * 1024 * 1024 });
      assert.ok(n.cpus >= 1 && n.memory_bytes > 0);
    }
    // Each node's used memory is its own dyno's (~46 MB), not both (an agent reports only its node's containers).
    for (const n of list) assert.ok(n.used!.memory_bytes > 30e6 && n.used!.memory_bytes < 80e6, `${n.hostname} used ${n.used!.memory_bytes}`);

    // Through the API and the slipway CLI.
    const api = await startTestApi({ extraRoutes: nodeRoutes({ nodes, runtime: 'swarm' }) });
    closers.push(() => api.close());
    const slipway = (args: string[]) => run(process.execPath, [...cliArgs, ...args], {
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: dir, SLIPWAY_API_URL: api.url, SLIPWAY_API_KEY: api.adminToken },
    }).then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }));
    const listed = await slipway(['nodes']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`^ ${hostnames[0]}\\s+\\w{12}\\s+manager \\(leader\\)\\s+ready\\s+active\\s+${c.nodes[0].address.replace(/\./g, '\\.')}\\s.*myapp web\\.1$`, 'm'));
    assert.match(listed.stdout, new RegExp(`^ ${hostnames[1]}\\s.*myapp web\\.2$`, 'm'));
    const unknown = await slipway(['nodes:drain', 'no-such-node']);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /Couldn't find that node: no-such-node\./);
    const bad = await api.request('PATCH', `/nodes/${hostnames[1]}`, { body: { availability: 'pause' } });
    assert.deepEqual([bad.status, bad.body.id], [422, 'invalid_params']);
    assert.match((await slipway(['nodes:join'])).stdout, /^docker swarm join --token SWMTKN-1-/);

    const join = await nodes.joinCommand();
    assert.match(join.command, new RegExp(`^docker swarm join --token SWMTKN-1-\\S+ ${c.nodes[0].address.replace(/\./g, '\\.')}:2377$`));
    await assert.rejects(nodes.setAvailability('no-such-node', 'drain'), (e: Error & { code?: string }) => e.code === 'not_found');

    const drain = await nodes.setAvailability(hostnames[1], 'drain');
    assert.deepEqual(drain.moving, [{ app: 'myapp', dyno: 'web.2' }]);
    await nodes.settled();
    assert.deepEqual(cycled, ['app-id-1 web.2']);
    assert.equal(await availabilityOf(hostnames[1]), 'drain');
    await nodes.setAvailability(hostnames[1], 'active');
    assert.equal(await availabilityOf(hostnames[1]), 'active');
    assert.ok((await docker.listServices()).some((s) => s.Spec?.Name === AGENT_SERVICE_NAME));
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {});
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
