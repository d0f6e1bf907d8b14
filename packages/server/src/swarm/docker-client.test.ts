import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDockerClient, dockerOptions, probeSwarm } from './docker-client.js';

const cfg = (dockerHost: string, dockerTlsVerify = '') => ({ dockerHost, dockerTlsVerify, dockerCertPath: '/certs' });

test('DOCKER_HOST is read as every Docker client reads it', () => {
  assert.deepEqual(dockerOptions(cfg('')), { socketPath: '/var/run/docker.sock' });
  assert.deepEqual(dockerOptions(cfg('unix:///run/d/docker.sock')), { socketPath: '/run/d/docker.sock' });
  assert.deepEqual(dockerOptions(cfg('tcp://10.0.0.5:2375')), { host: '10.0.0.5', port: 2375, protocol: 'http' });
  const read: string[] = [];
  const tls = dockerOptions(cfg('tcp://manager.example:2376', '1'), (n) => { read.push(n); return Buffer.from(n); });
  assert.equal(tls.protocol, 'https');
  assert.equal(tls.host, 'manager.example');
  assert.deepEqual(read, ['ca.pem', 'cert.pem', 'key.pem']);
  assert.throws(() => dockerOptions(cfg('ssh://user@host')), /DOCKER_HOST=ssh:\/\/user@host: expected unix:\/\/\/path or tcp:\/\/host:port/);
});

test('an unreachable daemon is one line with a fix, not a throw', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'slipway-docker-'));
  try {
    const host = `unix://${path.join(dir, 'absent.sock')}`;
    const s = await probeSwarm(createDockerClient(cfg(host)), host);
    assert.equal(s.ok, false);
    assert.match(s.detail, /is not reachable/);
    assert.ok(!s.ok && /DOCKER_HOST/.test(s.fix));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
