/**
 * Release images against a real registry (Debian's docker-registry, supervised by registry.ts) and
 * real dockerds (the test cluster): the stack image is built once and pushed; a release image holds
 * the slug at /app owned by the dyno user and runs on another node that pulls it from the registry,
 * with the host's node and python3 versions; asking again (same process or a restarted one) builds
 * nothing.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Docker from 'dockerode';
import { createLogger } from '../log/index.js';
import { freePort } from '../../test/helpers/platform.js';
import { startSwarmCluster, swarmClusterUnavailable } from '../../test/helpers/swarm-cluster.js';
import { createReleaseImages } from './images.js';
import { startSwarmRegistry } from './registry.js';

const why = swarmClusterUnavailable();

function recordingLogger(events: string[]) {
  return createLogger({ level: 'info', write: (line) => { const m = /at=(\S+)/.exec(line); if (m) events.push(m[1]!); } });
}

test('a release image is the stack plus the slug at /app, pulled and run by another node; cached', { skip: why ?? false, timeout: 600_000 }, async () => {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'slw-images-'));
  const cluster = await startSwarmCluster({ nodes: 2, name: 'swcimg' });
  const registry = await startSwarmRegistry({ listenHost: cluster.advertiseAddr, port: await freePort(), dataDir: tmp, logger: createLogger({ write: () => {} }) });
  try {
    await mkdir(path.join(tmp, 'src/app/bin'), { recursive: true });
    await writeFile(path.join(tmp, 'src/app/bin/hello'), '#!/bin/sh\necho "hello from $(id -u) in $PWD"\n', { mode: 0o755 });
    const slugPath = path.join(tmp, 'slug.tgz');
    execFileSync('tar', ['-czf', slugPath, '-C', path.join(tmp, 'src'), './app']);
    const docker = new Docker({ socketPath: cluster.dockerHost.replace('unix://', '') });
    const events: string[] = [];
    const images = createReleaseImages({ docker, registry: registry.address, dataDir: tmp, logger: recordingLogger(events) });

    const ref = await images.imageFor({ appId: 'App-1234', releaseVersion: 3, slugPath });
    assert.match(ref, new RegExp(`^${registry.address}/slipway/app-app-1234:[0-9a-f]{20}-[0-9a-f]{8}$`));
    assert.deepEqual(events.filter((e) => e.endsWith('_built')), ['swarm.stack_image_built', 'swarm.release_image_built']);
    // Same slug in a later release (a config change) and a scale-up: no build.
    assert.equal(await images.imageFor({ appId: 'App-1234', releaseVersion: 4, slugPath }), ref);
    assert.equal(await images.imageFor({ appId: 'App-1234', releaseVersion: 3, slugPath: null }), await images.stackImage());

    // Node 2 has never seen it: it pulls from the registry (retried as a Swarm node retries a
    // task's pull: on a loaded machine a pull was once cut short, 'unexpected EOF') and runs it as
    // the dyno user.
    for (let attempt = 1; ; attempt++) {
      try {
        await cluster.docker(1, ['pull', '-q', ref]);
        break;
      } catch (err) {
        if (attempt === 3) throw err;
      }
    }
    const out = await cluster.docker(1, ['run', '--rm', '--network', 'none', ref, 'sh', '-c',
      '/app/bin/hello; stat -c %u:%g /app /app/bin/hello; node --version; cd /tmp && npm --version; python3 --version; test -s /etc/ssl/certs/ca-certificates.crt && echo certs; ' +
      // util-linux `script` gives attached one-offs a pty (swarm-agent/attach-relay.cjs).
      'script -qfec "[ -t 1 ] && echo pty" /dev/null']);
    const hostPython = execFileSync('/usr/bin/python3', ['--version'], { encoding: 'utf8' }).trim();
    const hostNpm = execFileSync('/usr/bin/npm', ['--version'], { encoding: 'utf8', cwd: '/tmp' }).trim();
    assert.deepEqual(out.split('\n').map((l) => l.trimEnd()), ['hello from 1000 in /app', '1000:1000', '1000:1000', process.version, hostNpm, hostPython, 'certs', 'pty']);

    // A restarted control plane finds both images in the registry instead of building them.
    const after: string[] = [];
    const again = createReleaseImages({ docker, registry: registry.address, dataDir: tmp, logger: recordingLogger(after) });
    assert.equal(await again.imageFor({ appId: 'App-1234', releaseVersion: 5, slugPath }), ref);
    assert.deepEqual(after.filter((e) => e.endsWith('_built')), []);
  } finally {
    await registry.close();
    await cluster.stop();
    await rm(tmp, { recursive: true, force: true });
  }
});
