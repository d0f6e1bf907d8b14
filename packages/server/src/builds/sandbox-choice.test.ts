import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, testConfig } from '../config.js';
import { createLogger } from '../log/index.js';
import { chooseBuildSandbox, decideBuildSandbox } from './sandbox-choice.js';

const yes = { usable: true as const, cgroupVersion: 1 as const };
const no = { usable: false as const, reason: 'runc is not on PATH' };

test('decideBuildSandbox: auto, runc and none against what the host can do', () => {
  assert.deepEqual(decideBuildSandbox('auto', yes), { kind: 'runc' });
  assert.deepEqual(decideBuildSandbox('auto', no), { kind: 'process', reason: 'runc is not on PATH' });
  assert.deepEqual(decideBuildSandbox('runc', yes), { kind: 'runc' });
  assert.deepEqual(decideBuildSandbox('runc', no), { kind: 'refuse', message: 'isolated builds were asked for but runc is not usable: runc is not on PATH' });
  assert.deepEqual(decideBuildSandbox('none', yes), { kind: 'process', reason: null });
  assert.deepEqual(decideBuildSandbox('none', undefined), { kind: 'process', reason: null });
});

test('chooseBuildSandbox: one log line saying why builds are not isolated; runc required refuses to start', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'slipway-choice-'));
  try {
    const lines: string[] = [];
    const logger = createLogger({ write: (l) => lines.push(l) });
    let probed = 0;
    const probe = async () => {
      probed++;
      return no;
    };
    const fallback = await chooseBuildSandbox({ config: testConfig({ dataDir, buildIsolation: 'auto' }), logger, probe });
    assert.equal(fallback.name, 'process');
    assert.equal(lines.filter((l) => l.includes('at=build.sandbox')).length, 1);
    assert.match(lines.find((l) => l.includes('at=build.sandbox'))!, /reason="runc builds unavailable: runc is not on PATH"/);

    await assert.rejects(chooseBuildSandbox({ config: testConfig({ dataDir, buildIsolation: 'runc' }), logger, probe }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /SLIPWAY_BUILD_ISOLATION: isolated builds were asked for but runc is not usable: runc is not on PATH/);
      return true;
    });

    const before = probed;
    const none = await chooseBuildSandbox({ config: testConfig({ dataDir, buildIsolation: 'none' }), logger, probe });
    assert.equal(none.name, 'process');
    assert.equal(probed, before, 'none does not probe');

    const runc = await chooseBuildSandbox({ config: testConfig({ dataDir, buildIsolation: 'auto', buildMemoryMb: 512 }), logger, probe: async () => yes });
    assert.equal(runc.name, 'runc');
    assert.notEqual(runc.owner?.uid, 0);
    await Promise.all([fallback.close(), none.close(), runc.close()]);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
