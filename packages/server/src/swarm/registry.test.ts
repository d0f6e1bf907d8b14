/**
 * The supervised registry: Debian's real `docker-registry` is started on the given address with its
 * storage under the data dir, answers the v2 API, is restarted when killed, and is gone after close.
 * An operator's registry is used as given and nothing is started.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { silentLogger } from '../log/index.js';
import { freePort } from '../../test/helpers/platform.js';
import { registryAnswers, startSwarmRegistry } from './registry.js';

const missing = existsSync('/usr/bin/docker-registry') ? false : 'docker-registry is not installed';

test('the supervised registry answers, is restarted when it dies, and stops on close', { skip: missing, timeout: 60_000 }, async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'slw-registry-'));
  const port = await freePort();
  const r = await startSwarmRegistry({ listenHost: '127.0.0.1', port, dataDir, logger: silentLogger });
  try {
    assert.equal(r.address, `127.0.0.1:${port}`);
    assert.equal(r.supervised, true);
    assert.equal(await registryAnswers(r.address), true);
    const config = await readFile(path.join(dataDir, 'swarm-registry/config.yml'), 'utf8');
    assert.match(config, new RegExp(`rootdirectory: ${path.join(dataDir, 'swarm-registry/storage')}`));
    const first = r.pid()!;
    process.kill(first, 'SIGKILL');
    const deadline = Date.now() + 20_000;
    while (!(r.pid() !== undefined && r.pid() !== first && (await registryAnswers(r.address)))) {
      assert.ok(Date.now() < deadline, 'the registry was not restarted');
      await new Promise((res) => setTimeout(res, 100));
    }
  } finally {
    await r.close();
  }
  assert.equal(r.pid(), undefined);
  assert.equal(await registryAnswers(r.address, 500), false);
  await rm(dataDir, { recursive: true, force: true });
});

test('an operator registry is used as given; nothing is started', async () => {
  const r = await startSwarmRegistry({ external: 'registry.example.com:5000', listenHost: '127.0.0.1', port: 1, dataDir: '/nonexistent', logger: silentLogger });
  assert.deepEqual([r.address, r.supervised, r.pid()], ['registry.example.com:5000', false, undefined]);
  await r.close();
});
