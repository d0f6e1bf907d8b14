/**
 * `slipway setup`: the pure plan for every kind of host, and the apply step run for real against a
 * directory of tools. apt-get is the one stand-in: a script that records its arguments and "installs"
 * a package by creating its tool, because a test must not install packages on the shared host.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { planSetup, REQUIREMENTS, runSetup, type Requirement } from './setup.js';

const reqs: Requirement[] = [
  { binary: 'sw-tool-a', debianPackage: 'pkg-a', purpose: 'does a' },
  { binary: 'sw-tool-b', debianPackage: 'pkg-b', purpose: 'does b' },
];

let dir: string;
let bin: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-setup-'));
  bin = path.join(dir, 'bin');
  await import('node:fs/promises').then((fs) => fs.mkdir(bin));
  await tool('sw-tool-a');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function tool(name: string): Promise<void> {
  await writeFile(path.join(bin, name), '#!/bin/sh\nexit 0\n');
  await chmod(path.join(bin, name), 0o755);
}

/** A recording apt-get: appends its argv to log; `install` creates sw-tool-<x> for each pkg-<x>. */
async function fakeApt(): Promise<{ path: string; log: string }> {
  const log = path.join(dir, 'apt.log');
  const file = path.join(dir, 'apt-get');
  await writeFile(file, `#!/bin/sh
echo "$*" >> '${log}'
if [ "$1" = install ]; then
  for p in "$@"; do case "$p" in pkg-*) printf '#!/bin/sh\\nexit 0\\n' > '${bin}'/sw-tool-\${p#pkg-}; chmod 755 '${bin}'/sw-tool-\${p#pkg-};; esac; done
fi
`);
  await chmod(file, 0o755);
  return { path: file, log };
}

function sink() {
  let text = '';
  return { write: (s: string) => (text += s), get text() { return text; } };
}

describe('setup: the plan', () => {
  const missing = [REQUIREMENTS[1], REQUIREMENTS[3], REQUIREMENTS[1]];
  it('nothing missing: nothing to do', () => {
    assert.deepEqual(planSetup([], { platform: 'linux', uid: 0, aptGet: '/usr/bin/apt-get' }), { kind: 'nothing' });
  });
  it('Debian/Ubuntu as root: apt with each package once', () => {
    assert.deepEqual(planSetup(missing, { platform: 'linux', uid: 0, aptGet: '/usr/bin/apt-get' }), { kind: 'apt', packages: ['conmon', 'iproute2'] });
  });
  it('not root, no apt, not Linux: print, with the reason', () => {
    assert.match((planSetup(missing, { platform: 'linux', uid: 1000, aptGet: '/usr/bin/apt-get' }) as { why: string }).why, /needs root \(this is uid 1000\)/);
    assert.match((planSetup(missing, { platform: 'linux', uid: 0, aptGet: undefined }) as { why: string }).why, /apt-get is not here/);
    assert.match((planSetup(missing, { platform: 'darwin', uid: 0, aptGet: undefined }) as { why: string }).why, /this is darwin/);
  });
  it('covers the packages the issue names', () => {
    const pkgs = REQUIREMENTS.map((r) => r.debianPackage);
    for (const p of ['runc', 'conmon', 'iptables', 'iproute2', 'openssl', 'util-linux', 'git']) assert.ok(pkgs.includes(p), p);
  });
});

describe('setup: applying it', () => {
  it('without root: prints exactly what is missing and the apt command, installs nothing, exit 0 (exit 1 with --check)', async () => {
    const apt = await fakeApt();
    const out = sink();
    assert.equal(await runSetup({ requirements: reqs, searchDirs: [bin], host: { platform: 'linux', uid: 1000, aptGet: apt.path }, out }), 0);
    assert.match(out.text, /missing here:\n {2}sw-tool-b {2}\(Debian package pkg-b\): does b\n/);
    assert.doesNotMatch(out.text, /sw-tool-a/);
    assert.match(out.text, /Not installing them: installing needs root/);
    assert.match(out.text, /apt-get install -y pkg-b\n/);
    await assert.rejects(readFile(apt.log, 'utf8'), 'apt-get was not run');
    assert.equal(await runSetup({ requirements: reqs, searchDirs: [bin], host: { platform: 'linux', uid: 0, aptGet: apt.path }, checkOnly: true, out: sink() }), 1);
    await assert.rejects(readFile(apt.log, 'utf8'), '--check runs no apt-get');
  });

  it('as root with apt: updates, installs only what is missing, checks again; a second run does nothing', async () => {
    const apt = await fakeApt();
    const out = sink();
    assert.equal(await runSetup({ requirements: reqs, searchDirs: [bin], host: { platform: 'linux', uid: 0, aptGet: apt.path }, out }), 0, out.text);
    assert.equal(await readFile(apt.log, 'utf8'), 'update -qq\ninstall -y -q --no-install-recommends pkg-b\n');
    assert.match(out.text, /Installed pkg-b/);
    const again = sink();
    assert.equal(await runSetup({ requirements: reqs, searchDirs: [bin], host: { platform: 'linux', uid: 0, aptGet: apt.path }, out: again }), 0);
    assert.match(again.text, /^All 2 system packages Slipway uses are installed \(pkg-a, pkg-b\)\.\n$/);
    assert.equal((await readFile(apt.log, 'utf8')).split('\n').filter(Boolean).length, 2, 'the second run ran no apt-get');
  });

  it('an install that leaves a tool missing exits 1 and names it', async () => {
    const out = sink();
    const failing = path.join(dir, 'apt-fails');
    await writeFile(failing, '#!/bin/sh\n[ "$1" = install ] && exit 100\nexit 0\n');
    await chmod(failing, 0o755);
    const code = await runSetup({ requirements: [...reqs, { binary: 'sw-tool-c', debianPackage: 'pkg-c', purpose: 'does c' }], searchDirs: [bin], host: { platform: 'linux', uid: 0, aptGet: failing }, out });
    assert.equal(code, 1);
    assert.match(out.text, /apt-get install exited 100; still missing: sw-tool-c\./);
  });

  it('on this host, as it is: the report names every package (no install is attempted with --check)', async () => {
    const out = sink();
    const code = await runSetup({ checkOnly: true, out });
    assert.ok(code === 0 || code === 1);
    if (code === 0) assert.match(out.text, /system packages Slipway uses are installed \(runc, conmon, iptables, iproute2, openssl, util-linux, git, tar, python3-venv\)/);
    else assert.match(out.text, /apt-get install -y /);
  });
});
