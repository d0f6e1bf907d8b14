import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { outsideKillScope, systemdBooted } from './service-scope.js';

test('without systemd the command runs as is (the caller gives it its own session)', () => {
  assert.deepEqual(outsideKillScope('/usr/bin/conmon', ['-c', 'x'], { systemd: false, unit: 'u' }), { cmd: '/usr/bin/conmon', args: ['-c', 'x'] });
});

test('with systemd the command runs in its own transient scope, after a `--`', () => {
  assert.deepEqual(outsideKillScope('/usr/bin/node', ['--flag', 'main.js'], { systemd: true, unit: 'slipway-router-12/a b' }), {
    cmd: 'systemd-run',
    args: ['--scope', '--quiet', '--collect', '--unit=slipway-router-12_a_b', '--', '/usr/bin/node', '--flag', 'main.js'],
  });
});

test('systemd is detected by its runtime directory', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-sd-'));
  try {
    assert.equal(systemdBooted(dir), true);
    assert.equal(systemdBooted(path.join(dir, 'missing')), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
