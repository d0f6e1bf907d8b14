import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { chown, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compileSyscallProbe, parseSyscallProbe, seccompViolations, syscallProbeUnavailable } from '../../test/helpers/syscall-probe.js';
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

  it('refuses what the seccomp allowlist leaves out (io_uring, memfd_secret, AF_VSOCK/AF_ALG, foreign arches…)', { skip: syscallProbeUnavailable() ?? false }, async () => {
    const bin = path.join(tmp, 'probe-bin');
    await mkdir(bin, { recursive: true });
    compileSyscallProbe(path.join(bin, 'syscall-probe'));
    const out: string[] = [];
    const r = await runIsolated({
      stateDir: path.join(tmp, 'state'), workDir: path.join(tmp, 'bundles'),
      binds: [{ source: bin, destination: '/opt/probe', readonly: true }],
      cmd: ['/opt/probe/syscall-probe'], env: {}, cwd: '/', limits, timeoutMs: 30_000,
      onOutput: (_s, c) => out.push(c.toString()),
    });
    assert.equal(r.exitCode, 0, out.join(''));
    assert.deepEqual(seccompViolations(parseSyscallProbe(out.join('').split('\n'))), [], out.join(''));
  });

  it('runs the build toolchains under the allowlist: node, python3, git, a shell pipeline', async () => {
    const out: string[] = [];
    const script = [
      'set -e; cd /tmp',
      'node -e "require(\'http\').createServer().listen(0, function () { console.log(\'node ok\'); this.close(); })"',
      'python3 -c "import socket, ssl, hashlib, subprocess, threading; s = socket.socket(socket.AF_INET6); s.close(); print(\'python ok\')"',
      'git init -q repo && cd repo && git -c user.email=a@b -c user.name=a commit -q --allow-empty -m x && git log --oneline | wc -l | sed "s/^/git ok /"',
      'printf "a\\nb\\n" | sort -r | tr "\\n" " " | sed "s/^/sh ok /"; echo',
    ].join('\n');
    const r = await runIsolated({
      stateDir: path.join(tmp, 'state'), workDir: path.join(tmp, 'bundles'), binds: [],
      cmd: ['/bin/sh', '-c', script], env: { HOME: '/tmp' }, cwd: '/tmp', limits, timeoutMs: 60_000,
      onOutput: (_s, c) => out.push(c.toString()),
    });
    assert.equal(r.exitCode, 0, out.join(''));
    assert.deepEqual(out.join('').trim().split('\n'), ['node ok', 'python ok', 'git ok 1', 'sh ok b a']);
  });

  it('shows no path of the host\'s bundle dir in /proc/self/mountinfo, and leaves no mount behind', async () => {
    const out: string[] = [];
    const r = await runIsolated({
      stateDir: path.join(tmp, 'state'), workDir: path.join(tmp, 'bundles'), binds: [],
      cmd: ['/bin/cat', '/proc/self/mountinfo'], env: {}, cwd: '/', limits, timeoutMs: 30_000,
      onOutput: (_s, c) => out.push(c.toString()),
    });
    const text = out.join('');
    assert.equal(r.exitCode, 0, text);
    assert.match(text, /^\d+ \d+ \S+ \/rootfs \/ ro,/m, text);
    assert.equal(text.includes(tmp), false, text);
    assert.equal((await readFile('/proc/self/mountinfo', 'utf8')).includes(tmp), false, 'the bundle tmpfs is unmounted');
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
