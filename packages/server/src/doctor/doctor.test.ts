/**
 * `slipway doctor`'s failing checks, each provoked through the injected input (a binary path that
 * does not exist, a port this test holds, a data dir under a regular file…), never by breaking the
 * host. The checks themselves run for real: they spawn the binaries, bind the ports, write the dir.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { freePort } from '../../test/helpers/platform.js';
import os from 'node:os';
import path from 'node:path';
import { testConfig } from '../config.js';
import { isRuncUsable } from '../isolation/index.js';
import { doctorExitCode, formatReport, hostInput, runDoctor, type CheckResult, type DoctorInput } from './index.js';

let tmp: string;
before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'slipway-doctor-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});


/** The real host, with a fresh data dir and free loopback ports, then `change` applied. */
async function input(change: (i: DoctorInput) => void = () => {}): Promise<DoctorInput> {
  const config = testConfig({
    dataDir: await mkdtemp(path.join(tmp, 'data-')), listenHost: '127.0.0.1',
    apiPort: await freePort(), routerPort: await freePort(), rendezvousPort: await freePort(), runcBridge: 'slwdoc0',
  });
  const i = hostInput(config);
  i.binaries = { ...i.binaries };
  change(i);
  return i;
}

const check = (results: CheckResult[], name: string): CheckResult => {
  const found = results.find((r) => r.name === name);
  assert.ok(found, `no ${name} check in ${JSON.stringify(results)}`);
  return found;
};

describe('slipway doctor', () => {
  test('a missing binary (conmon): its line fails with the package to install, the runtime line says process and why, exit 1', async () => {
    const results = await runDoctor(await input((i) => (i.binaries.conmon = path.join(tmp, 'no-such-conmon'))));
    const conmon = check(results, 'conmon');
    assert.equal(conmon.status, 'fail');
    assert.match(conmon.detail, /not installed/);
    assert.match(conmon.fix ?? '', /apt-get install conmon/);
    const runtime = check(results, 'runtime');
    assert.equal(runtime.status, 'fail');
    if (process.getuid?.() === 0) assert.match(runtime.detail, /process \(fallback, NOT isolated\).*conmon/);
    assert.equal(doctorExitCode(results), 1);
    assert.match(formatReport(results), /^FAIL {2}conmon .*\n {6}.*fix: apt-get install conmon/m);
    assert.match(formatReport(results), /checks failed: the platform would run degraded\.\n$/);
  });

  test('missing runc, iptables, ip, openssl and git each fail with their package', async () => {
    const missing = path.join(tmp, 'missing');
    const results = await runDoctor(await input((i) => {
      i.binaries = { runc: missing, conmon: i.binaries.conmon, iptables: missing, ip: missing, openssl: missing, git: missing };
    }));
    for (const [name, pkg] of [['runc', 'runc'], ['iptables', 'iptables'], ['bridge', 'iproute2'], ['tls', 'openssl'], ['git', 'git']]) {
      const c = check(results, name);
      assert.equal(c.status, 'fail', `${name}: ${c.detail}`);
      assert.match(c.fix ?? '', new RegExp(`apt-get install ${pkg}\\b`), name);
    }
  });

  test('a port in use by another process fails with the variable to change', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    try {
      const port = (holder.address() as net.AddressInfo).port;
      const results = await runDoctor(await input((i) => (i.config = { ...i.config, routerPort: port })));
      const r = check(results, 'port router');
      assert.equal(r.status, 'fail');
      assert.match(r.detail, new RegExp(`127\\.0\\.0\\.1:${port} is in use by another process`));
      assert.match(r.fix ?? '', /SLIPWAY_ROUTER_PORT/);
      assert.equal(check(results, 'port api').status, 'ok');
      assert.equal(doctorExitCode(results), 1);
    } finally {
      holder.close();
    }
  });

  test('an unwritable data dir fails (here: under a regular file, which even root cannot write into)', async () => {
    const file = path.join(tmp, 'a-file');
    await writeFile(file, 'x');
    const results = await runDoctor(await input((i) => (i.config = { ...i.config, dataDir: path.join(file, 'data') })));
    const d = check(results, 'data dir');
    assert.equal(d.status, 'fail');
    assert.match(d.detail, /is not writable: ENOTDIR/);
    assert.match(d.fix ?? '', /SLIPWAY_DATA_DIR/);
    assert.equal(doctorExitCode(results), 1);
  });

  test('a data dir inside a "type": "module" package: fine, unless an old node-script hook is still there', async () => {
    const pkg = path.join(tmp, 'esm-project');
    await mkdir(path.join(pkg, '.slipway', 'repos', 'app.git', 'hooks'), { recursive: true });
    await writeFile(path.join(pkg, 'package.json'), JSON.stringify({ type: 'module' }));
    const i = await input((x) => (x.config = { ...x.config, dataDir: path.join(pkg, '.slipway') }));
    let d = check(await runDoctor(i), 'data dir');
    assert.equal(d.status, 'ok');
    assert.match(d.detail, /ES module package scope .*package\.json \(fine/);
    await writeFile(path.join(pkg, '.slipway', 'repos', 'app.git', 'hooks', 'pre-receive'), `#!${process.execPath}\nrequire('node:http');\n`);
    d = check(await runDoctor(i), 'data dir');
    assert.equal(d.status, 'fail');
    assert.match(d.detail, /old node-script pre-receive hook, which .*package\.json \("type": "module"\) breaks/);
  });

  test('not root, no cgroups, SLIPWAY_RUNTIME=process: each says so', async () => {
    const mountinfo = path.join(tmp, 'mountinfo');
    await writeFile(mountinfo, '22 1 0:21 / /proc rw,nosuid - proc proc rw\n');
    let results = await runDoctor(await input((i) => {
      i.uid = 1000;
      i.mountinfoPath = mountinfo;
    }));
    assert.match(check(results, 'root').detail, /need root, this is uid 1000/);
    assert.equal(check(results, 'cgroups').status, 'fail');
    assert.match(check(results, 'runtime').detail, /process \(fallback, NOT isolated\): runc is not usable: root/);
    results = await runDoctor(await input((i) => (i.config = { ...i.config, runtime: 'process' })));
    assert.equal(check(results, 'runtime').status, 'fail');
    assert.match(check(results, 'runtime').fix ?? '', /unset SLIPWAY_RUNTIME/);
  });

  test('an unreadable SQLite store and an unreachable PostgreSQL fail', async () => {
    let results = await runDoctor(await input((i) => (i.config = { ...i.config, databaseUrl: `sqlite:${path.join(tmp, 'broken.db')}` })));
    assert.equal(check(results, 'store').status, 'ok', 'a missing file is made at the first start');
    await writeFile(path.join(tmp, 'broken.db'), 'this is not a database, it is long enough to have a header'.repeat(10));
    results = await runDoctor(await input((i) => (i.config = { ...i.config, databaseUrl: `sqlite:${path.join(tmp, 'broken.db')}` })));
    assert.equal(check(results, 'store').status, 'fail');
    assert.match(check(results, 'store').detail, /cannot be read/);
    const port = await freePort();
    results = await runDoctor(await input((i) => (i.config = { ...i.config, databaseUrl: `postgres://nobody@127.0.0.1:${port}/none` })));
    assert.equal(check(results, 'store').status, 'fail');
    assert.match(check(results, 'store').detail, /PostgreSQL unreachable/);
  });

  test('leaves no data dir behind when it had to create one to test it', async () => {
    const dir = path.join(tmp, 'not-yet');
    const d = check(await runDoctor(await input((i) => (i.config = { ...i.config, dataDir: dir }))), 'data dir');
    assert.equal(d.status, 'ok');
    assert.match(d.detail, /can be created/);
    await assert.rejects(import('node:fs/promises').then((fs) => fs.stat(dir)));
  });

  test('on a host where runc is usable, every check passes and the exit status is 0', async (t) => {
    const usable = await isRuncUsable();
    if (!usable.usable) return t.skip(`runc is not usable here: ${usable.reason}`);
    const results = await runDoctor(await input());
    assert.deepEqual(results.filter((r) => r.status === 'fail'), []);
    assert.equal(doctorExitCode(results), 0);
    assert.match(formatReport(results), /^ok {4}runtime +runc/m);
    assert.match(formatReport(results), /All \d+ checks passed: the platform would run fully isolated\.\n$/);
  });
});

test('SLIPWAY_RUNTIME=swarm: the runtime line says whether DOCKER_HOST is a reachable Swarm manager', async () => {
  const config = testConfig({
    dataDir: await mkdtemp(path.join(tmp, 'data-')), listenHost: '127.0.0.1', runtime: 'swarm',
    apiPort: await freePort(), routerPort: await freePort(), rendezvousPort: await freePort(), runcBridge: 'slwdoc0',
    dockerHost: `unix://${path.join(tmp, 'no-docker.sock')}`,
  });
  const results = await runDoctor(hostInput(config));
  const runtime = check(results, 'runtime');
  assert.equal(runtime.status, 'fail');
  assert.match(runtime.detail, /^swarm \(SLIPWAY_RUNTIME=swarm\): the Docker daemon at unix:\/\/.*no-docker\.sock is not reachable/);
  assert.match(runtime.fix ?? '', /DOCKER_HOST/);
  assert.equal(doctorExitCode(results), 1);
});
