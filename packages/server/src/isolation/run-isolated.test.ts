import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { chown, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DYNO_USER } from './oci-spec.js';
import { runIsolated } from './run-isolated.js';
import { isRuncUsable } from './usable.js';

const usable = await isRuncUsable();
const limits = { memoryBytes: 256 * 1024 * 1024, cpuShares: 512, pids: 128 };

describe('runIsolated (one-shot containers for builds)', { skip: usable.usable ? false : `runc is not usable here: ${usable.reason}`, timeout: 60_000 }, () => {
  let tmp: string;
  let build: string;
  before(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'slipway-run-'));
    build = path.join(tmp, 'build');
    await mkdir(build);
    await chown(build, DYNO_USER.uid, DYNO_USER.gid);
  });
  after(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('runs a command unprivileged with the given binds, env and cwd, and returns its exit code', async () => {
    const out: string[] = [];
    const r = await runIsolated({
      stateDir: path.join(tmp, 'state'), workDir: path.join(tmp, 'bundles'),
      binds: [{ source: build, destination: '/tmp/build', readonly: false }],
      cmd: ['/bin/sh', '-c', 'id -u; echo "$GREETING" > out.txt; hostname; exit 7'],
      env: { GREETING: 'compiled' }, cwd: '/tmp/build', limits, timeoutMs: 30_000,
      onOutput: (_s, c) => out.push(c.toString()),
    });
    assert.equal(r.exitCode, 7);
    assert.equal(r.timedOut, false);
    assert.deepEqual(out.join('').trim().split('\n'), [String(DYNO_USER.uid), 'build']);
    assert.equal(await readFile(path.join(build, 'out.txt'), 'utf8'), 'compiled\n');
  });

  it('has a world-writable, sticky /tmp (1777) the build user writes to', async () => {
    const out: string[] = [];
    const r = await runIsolated({
      stateDir: path.join(tmp, 'state'), workDir: path.join(tmp, 'bundles'), binds: [],
      cmd: ['/bin/sh', '-c', 'stat -c %a /tmp; echo hi > /tmp/x && cat /tmp/x'], env: {}, cwd: '/', limits, timeoutMs: 30_000,
      onOutput: (_s, c) => out.push(c.toString()),
    });
    assert.equal(r.exitCode, 0, out.join(''));
    assert.deepEqual(out.join('').trim().split('\n'), ['1777', 'hi']);
  });

  it('kills everything in it at the time limit', async () => {
    const r = await runIsolated({
      stateDir: path.join(tmp, 'state'), workDir: path.join(tmp, 'bundles'), binds: [],
      cmd: ['/bin/sh', '-c', 'sleep 60 & sleep 60'], env: {}, cwd: '/', limits, timeoutMs: 500,
    });
    assert.equal(r.timedOut, true);
    assert.notEqual(r.exitCode, 0);
  });
});
