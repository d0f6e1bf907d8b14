import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { testConfig } from '../config.js';
import { silentLogger } from '../log/index.js';
import { startSwarmParts } from './parts.js';

test('the swarm runtime refuses to start without an advertise address, or without a reachable manager, in one line each', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'slipway-swarm-parts-'));
  try {
    const config = testConfig({ dataDir: dir, runtime: 'swarm', dockerHost: `unix://${path.join(dir, 'absent.sock')}` });
    await assert.rejects(startSwarmParts({ config, logger: silentLogger }), /needs SLIPWAY_SWARM_ADVERTISE_ADDR/);
    await assert.rejects(startSwarmParts({ config: { ...config, swarmAdvertiseAddr: '127.0.0.1' }, logger: silentLogger }), /SLIPWAY_RUNTIME=swarm: the Docker daemon at unix:\/\/.*absent\.sock is not reachable.*fix: set DOCKER_HOST/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
