/**
 * A dyno whose node is lost: two real dockerds joined into one Swarm (test/helpers/swarm-cluster.ts),
 * the real registry and release images (swarm/), the swarm driver; node 2 is SIGKILLed (dockerd,
 * containerd, shims, the dyno). Its dyno must be reported through onExit exactly once, with the
 * line that says the node was lost, within a bounded time; the dyno on the manager keeps running.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { findDynoSize } from '@slipway/contract';
import { silentLogger } from '../log/index.js';
import { createReleaseImages, startSwarmRegistry } from '../swarm/index.js';
import { freePort } from '../../test/helpers/platform.js';
import { startSwarmCluster, swarmClusterUnavailable } from '../../test/helpers/swarm-cluster.js';
import { recorder, until, type Recorder } from './driver.case.js';
import type { DynoHandle } from './driver.js';
import { createSwarmDriver } from './swarm-driver.js';

const why = swarmClusterUnavailable();

test('a dyno on a lost node exits once, with a line saying so; the other node\'s dyno runs on', { skip: why ?? false, timeout: 600_000 }, async () => {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'slw-nodeloss-'));
  const cluster = await startSwarmCluster({ nodes: 2, name: 'swdloss' });
  const registry = await startSwarmRegistry({ listenHost: cluster.advertiseAddr, port: await freePort(), dataDir: tmp, logger: silentLogger });
  const docker = new Docker({ socketPath: cluster.dockerHost.replace('unix://', '') });
  const driver = createSwarmDriver({
    docker, images: createReleaseImages({ docker, registry: registry.address, dataDir: tmp, logger: silentLogger }),
    logger: silentLogger, stopGraceMs: 1_000,
  });
  try {
    const dynos: { h: DynoHandle; r: Recorder; node: string }[] = [];
    for (let i = 1; i <= 2; i++) {
      const r = recorder(300_000);
      const h = await driver.start({
        appId: 'app-loss', appName: 'loss-app', name: `worker.${i}`, type: 'worker', slugPath: null, releaseVersion: 1,
        size: findDynoSize('standard-1x')!, env: {}, needsPort: false, command: 'echo up; while :; do sleep 1; done',
      }, r.events);
      await r.waitLine((l) => l === 'up');
      const [task] = await docker.listTasks({ filters: { service: [String(h.ref.serviceId)] } }) as { NodeID: string }[];
      dynos.push({ h, r, node: task.NodeID });
    }
    const managerId = ((await docker.info()) as { Swarm: { NodeID: string } }).Swarm.NodeID;
    const lost = dynos.find((d) => d.node !== managerId);
    const kept = dynos.find((d) => d.node === managerId);
    assert.ok(lost && kept, `Swarm spread the two dynos over both nodes (${dynos.map((d) => d.node).join(', ')})`);

    const t0 = performance.now();
    await cluster.killNode(1);
    await lost.r.waitExit();
    const ms = performance.now() - t0;
    process.stderr.write(`# swarm node loss: reported ${ms.toFixed(0)} ms after the node was killed\n`);
    assert.deepEqual(lost.r.exits, [{ code: null, signal: 'SIGKILL' }]);
    assert.ok(lost.r.lines.some((l) => l.stream === 'stderr' && /^Node lost: the node running this dyno \(\w+\) is down$/.test(l.line)), JSON.stringify(lost.r.lines));
    assert.equal((await driver.inspect(lost.h)).running, false);
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(lost.r.exits.length, 1, 'onExit exactly once');
    assert.equal(kept.r.exits.length, 0);
    assert.equal((await driver.inspect(kept.h)).running, true);
    await driver.stop(kept.h, { graceMs: 1_000 });
    await until(() => kept.r.exits.length === 1, 60_000, 'the kept dyno to stop');
  } finally {
    await driver.close();
    await registry.close();
    await cluster.stop();
    await rm(tmp, { recursive: true, force: true });
  }
});
