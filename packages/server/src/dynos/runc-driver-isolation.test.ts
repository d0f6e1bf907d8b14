/**
 * What a dyno sees from inside, on real runc containers: its own hostname, an unprivileged user,
 * only its own processes, no host secrets or data dir, an /app nobody else sees, memory and pids
 * limits, seccomp, and the private network (same app by name, other apps unreachable, host
 * services closed but the router port). Skipped with the reason when runc is not usable here.
 * Network probes only use addresses of the bridge and namespaces this test creates.
 */
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findDynoSize, type DynoSize } from '@slipway/contract';
import { compileSyscallProbe, parseSyscallProbe, seccompViolations, syscallProbeUnavailable } from '../../test/helpers/syscall-probe.js';
import { testConfig } from '../config.js';
import { silentLogger } from '../log/index.js';
import { gatewayIp, isRuncUsable, parseCidr, removeBridge, tenantUidCandidate } from '../isolation/index.js';
import { diskFull } from './disk.js';
import { recorder, type Recorder } from './driver.case.js';
import type { DynoHandle, DynoSpec, RuntimeDriver } from './driver.js';
import { createRuncDriver } from './runc-driver.js';

const PROBE_JS = `
const [, , cmd, arg] = process.argv;
if (cmd === 'fetch') {
  fetch(arg, { signal: AbortSignal.timeout(2500) }).then((r) => r.text())
    .then((t) => console.log('fetch ok ' + t), (e) => console.log('fetch fail ' + ((e.cause && e.cause.code) || e.name)));
} else if (cmd === 'serve') {
  require('http').createServer((q, s) => s.end('hi from ' + process.env.DYNO)).listen(Number(process.env.PORT), () => console.log('serving'));
} else if (cmd === 'hog') {
  const keep = [];
  for (;;) { keep.push(Buffer.alloc(8 * 1024 * 1024, 1)); console.log('allocated ' + keep.length * 8 + ' MB'); }
}
`;

const usable = await isRuncUsable();
const WAIT = 20_000;
const DISK_MB = 32;

describe('runc dyno isolation', { skip: usable.usable ? false : `runc is not usable here: ${usable.reason}`, timeout: 180_000 }, () => {
  const bridge = `slwi${randomBytes(3).toString('hex')}`;
  const subnet = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}.0/24`;
  const gw = gatewayIp(parseCidr(subnet));
  let tmp: string;
  let slugPath: string;
  let driver: RuntimeDriver;
  let routerServer: http.Server;
  let apiServer: http.Server;
  const started: DynoHandle[] = [];
  let seq = 0;

  const listen = (srv: http.Server) => new Promise<number>((resolve) => srv.listen(0, '0.0.0.0', () => resolve((srv.address() as AddressInfo).port)));

  before(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'slipway-iso-'));
    const src = path.join(tmp, 'src', 'app');
    await mkdir(src, { recursive: true });
    await writeFile(path.join(src, 'probe.js'), PROBE_JS);
    if (syscallProbeUnavailable() === null) compileSyscallProbe(path.join(src, 'syscall-probe'));
    slugPath = path.join(tmp, 'slug.tgz');
    const tar = spawnSync('tar', ['-czf', slugPath, '-C', path.join(tmp, 'src'), './app'], { encoding: 'utf8' });
    assert.equal(tar.status, 0, tar.stderr);
    routerServer = http.createServer((_q, s) => s.end('router'));
    apiServer = http.createServer((_q, s) => s.end('api'));
    const routerPort = await listen(routerServer);
    await listen(apiServer);
    driver = createRuncDriver({ config: testConfig({ routerPort, dynoDiskMb: DISK_MB }), logger: silentLogger, dataDir: path.join(tmp, 'data'), network: { bridge, subnet } });
  });

  afterEach(async () => {
    for (const h of started.splice(0)) if ((await driver.inspect(h)).running) await driver.stop(h, { graceMs: 0 });
  });

  after(async () => {
    await driver?.close();
    await removeBridge({ bridge, subnet: parseCidr(subnet), routerPort: null });
    routerServer?.close();
    apiServer?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  const spec = (over: Partial<DynoSpec>): DynoSpec => ({
    appId: 'app-a', appName: 'appa', name: `worker.${++seq}`, type: 'worker', command: 'true', slugPath,
    releaseVersion: 1, size: findDynoSize('standard-1x')!, env: {}, needsPort: false, ...over,
  });
  const run = async (s: DynoSpec): Promise<{ r: Recorder; h: DynoHandle }> => {
    const r = recorder(WAIT);
    const h = await driver.start(s, r.events);
    started.push(h);
    return { r, h };
  };
  const output = (r: Recorder) => r.lines.map((l) => l.line);

  it('has the dyno name as hostname, runs as an unprivileged user without capabilities', async () => {
    const { r } = await run(spec({ name: 'worker.7', command: 'hostname; id -u; grep CapEff /proc/self/status; grep NoNewPrivs /proc/self/status' }));
    await r.waitExit();
    const out = output(r);
    assert.ok(out.includes('worker.7'), JSON.stringify(out));
    assert.ok(out.includes(String(tenantUidCandidate('app-a', 0))), JSON.stringify(out));
    assert.ok(out.some((l) => /^CapEff:\s+0+$/.test(l)), JSON.stringify(out));
    assert.ok(out.some((l) => /^NoNewPrivs:\s+1$/.test(l)), JSON.stringify(out));
  });

  it('sees only its own processes', async () => {
    const { r } = await run(spec({ command: 'sleep 5 & ls /proc | grep -c "^[0-9][0-9]*$"; cat /proc/1/cmdline | tr "\\0" " "; echo' }));
    await r.waitExit();
    const count = Number(output(r)[0]);
    assert.ok(count > 0 && count < 10, `processes visible: ${count}`);
    assert.ok(output(r)[1].startsWith('/bin/sh -c'), 'PID 1 is the dyno\'s own init');
  });

  it('cannot read /root, host secrets or the data dir', async () => {
    const dataDir = path.join(tmp, 'data');
    const { r } = await run(spec({
      command: `ls /root >/dev/null 2>&1 && echo root-visible || echo root-hidden; ` +
        `[ -e /etc/shadow ] && echo shadow-visible || echo shadow-hidden; ` +
        `[ -e "${dataDir}" ] && echo data-visible || echo data-hidden; ` +
        `[ -e /work ] && echo work-visible || echo work-hidden; touch /usr/x 2>/dev/null && echo usr-writable || echo usr-readonly`,
    }));
    await r.waitExit();
    assert.deepEqual(output(r), ['root-hidden', 'shadow-hidden', 'data-hidden', 'work-hidden', 'usr-readonly']);
  });

  it('has a writable /tmp (1777) in a dyno and in an attached one-off', async () => {
    const cmd = 'stat -c %a /tmp; echo hi > /tmp/x && cat /tmp/x';
    const { r } = await run(spec({ command: cmd }));
    await r.waitExit();
    assert.deepEqual(output(r), ['1777', 'hi']);
    const oneOff = await run(spec({ name: 'run.1', type: 'run', attach: true, command: cmd }));
    await oneOff.r.waitExit();
    assert.deepEqual(output(oneOff.r), ['1777', 'hi']);
  });

  it('stops writes to /app and /tmp together at the disk limit (ENOSPC), and reports the disk full', async () => {
    const { r, h } = await run(spec({
      command: 'dd if=/dev/zero of=/app/fill bs=1M count=24 2>/dev/null && echo app-ok; ' +
        'dd if=/dev/zero of=/tmp/fill bs=1M count=24 2>&1 | grep -o "No space left on device" | head -1; ' +
        'echo x > /tmp/more 2>/dev/null && echo more-ok || echo more-refused; echo filled; sleep 30',
    }));
    await r.waitLine((l) => l === 'filled');
    assert.deepEqual(output(r), ['app-ok', 'No space left on device', 'more-refused', 'filled']);
    const u = await driver.usage(h);
    assert.ok(u?.disk, JSON.stringify(u));
    assert.equal(u.disk.limitBytes, DISK_MB * 1024 * 1024);
    assert.ok(diskFull(u.disk.usedBytes, u.disk.limitBytes), JSON.stringify(u.disk));
    // The tmpfs counts in the dyno's memory (documented): the fill shows there too.
    assert.ok(u.memoryBytes >= 30 * 1024 * 1024, JSON.stringify(u));
  });

  it('shows no host data-dir path in /proc/self/mountinfo, in a dyno and an attached one-off', async () => {
    for (const over of [{}, { name: 'run.2', type: 'run', attach: true }]) {
      const { r } = await run(spec({ ...over, command: 'cat /proc/self/mountinfo' }));
      await r.waitExit();
      const text = output(r).join('\n');
      assert.match(text, / \/app rw,.* overlay overlay rw,lowerdir=\.\.\/lower,upperdir=\.\.\/upper,workdir=\.\.\/work/, text);
      assert.match(text, /^\d+ \d+ \S+ \/rootfs \/ ro,/m, text);
      assert.equal(text.includes(tmp), false, `mountinfo names the data dir:\n${text}`);
      assert.equal(/\/runc\/|\/slugs\/|\/dynos\//.test(text), false, text);
    }
  });

  it('keeps /app writes private to one dyno', async () => {
    const a = await run(spec({ command: 'echo secret > /app/private.txt; echo written; sleep 30' }));
    await a.r.waitLine((l) => l === 'written');
    const b = await run(spec({ command: '[ -e /app/private.txt ] && echo seen || echo unseen; [ -e /app/probe.js ] && echo slug-there' }));
    await b.r.waitExit();
    assert.deepEqual(output(b.r), ['unseen', 'slug-there']);
  });

  it('blocks namespace and mount syscalls with seccomp', async () => {
    const { r } = await run(spec({ command: 'unshare -U true 2>/dev/null && echo unshare-ok || echo unshare-blocked; mount -t tmpfs x /tmp 2>/dev/null && echo mount-ok || echo mount-blocked; ' +
      'setarch "$(uname -m)" -R true 2>/dev/null && echo aslr-off-ok || echo aslr-off-blocked; setarch "$(uname -m)" true && echo setarch-ok' }));
    await r.waitExit();
    assert.deepEqual(output(r), ['unshare-blocked', 'mount-blocked', 'aslr-off-blocked', 'setarch-ok']);
  });

  it('refuses what the seccomp allowlist leaves out, from inside a dyno', { skip: syscallProbeUnavailable() ?? false }, async () => {
    const { r } = await run(spec({ command: './syscall-probe' }));
    await r.waitExit();
    assert.deepEqual(seccompViolations(parseSyscallProbe(output(r))), [], JSON.stringify(output(r)));
  });

  it('runs each app as its own host uid: one app exhausting inotify instances leaves another app\'s inotify_init1 working', async () => {
    const max = Number(readFileSync('/proc/sys/fs/inotify/max_user_instances', 'utf8').trim());
    // Opens inotify instances until the per-user limit answers EMFILE, then holds them.
    const hog = `python3 -c "
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
n = 0
while n < ${max + 16}:
    if libc.inotify_init1(0) < 0:
        print('exhausted', n, os.strerror(ctypes.get_errno()), flush=True)
        break
    n += 1
else:
    print('never exhausted', n, flush=True)
time.sleep(60)
"`;
    const probe = 'python3 -c "import ctypes, os; libc = ctypes.CDLL(None, use_errno=True); fd = libc.inotify_init1(0); print(\'inotify\', \'ok\' if fd >= 0 else os.strerror(ctypes.get_errno())); print(\'uid\', os.getuid())"';
    const a = await run(spec({ appId: 'app-a', appName: 'appa', command: hog }));
    const line = await a.r.waitLine((l) => l.startsWith('exhausted') || l.startsWith('never'));
    assert.match(line, /^exhausted \d+ Too many open files$/, line);
    const sameApp = await run(spec({ appId: 'app-a', appName: 'appa', command: probe }));
    await sameApp.r.waitExit();
    assert.deepEqual(output(sameApp.r), ['inotify Too many open files', `uid ${tenantUidCandidate('app-a', 0)}`], 'the limit is real: the same app is out of instances');
    const b = await run(spec({ appId: 'app-b', appName: 'appb', command: probe }));
    await b.r.waitExit();
    assert.deepEqual(output(b.r), ['inotify ok', `uid ${tenantUidCandidate('app-b', 0)}`]);
  });

  it('kills a memory hog at the memory limit and reports oomKilled', async () => {
    const tiny: DynoSize = { name: 'tiny', display: 'Tiny', memoryMb: 32, cpuShares: 256, pids: 64 };
    const { r } = await run(spec({ size: tiny, command: 'exec node probe.js hog' }));
    const exit = await r.waitExit();
    assert.equal(exit.oomKilled, true, JSON.stringify(exit));
    assert.equal(exit.signal, 'SIGKILL');
  });

  it('keeps a fork bomb inside the pids limit', async () => {
    const small: DynoSize = { name: 'small', display: 'Small', memoryMb: 256, cpuShares: 256, pids: 24 };
    const { r } = await run(spec({
      size: small,
      command: 'i=0; while [ $i -lt 100 ]; do (sleep 20 &) 2>/dev/null; i=$((i+1)); done; set -- /proc/[0-9]*; echo $#',
    }));
    await r.waitExit();
    const count = Number(output(r).at(-1));
    assert.ok(count > 0 && count <= 24, `processes: ${count}`);
    const neighbour = await run(spec({ command: 'echo neighbour fine' }));
    await neighbour.r.waitExit();
    assert.ok(output(neighbour.r).includes('neighbour fine'));
  });

  it('reaches its own app by name, not other apps, not host services but the router port', async () => {
    const web = await run(spec({ name: 'web.1', type: 'web', needsPort: true, command: 'exec node probe.js serve' }));
    await web.r.waitLine((l) => l === 'serving');
    assert.ok(web.h.host?.startsWith(subnet.split('.').slice(0, 3).join('.')), `dyno IP ${web.h.host}`);
    const fromHost = await (await fetch(`http://${web.h.host}:${web.h.port}/`)).text();
    assert.equal(fromHost, 'hi from web.1');

    const sameApp = await run(spec({ command: `node probe.js fetch http://web.1.appa.internal:${web.h.port}/` }));
    await sameApp.r.waitExit();
    assert.deepEqual(output(sameApp.r), ['fetch ok hi from web.1']);

    const otherApp = await run(spec({ appId: 'app-b', appName: 'appb', command: `node probe.js fetch http://${web.h.host}:${web.h.port}/` }));
    await otherApp.r.waitExit();
    assert.ok(output(otherApp.r)[0]?.startsWith('fetch fail'), JSON.stringify(output(otherApp.r)));

    const apiPort = (apiServer.address() as AddressInfo).port;
    const routerPort = (routerServer.address() as AddressInfo).port;
    const host = await run(spec({ command: `node probe.js fetch http://${gw}:${apiPort}/; node probe.js fetch http://${gw}:${routerPort}/` }));
    await host.r.waitExit();
    const out = output(host.r);
    assert.ok(out[0]?.startsWith('fetch fail'), `API port must be closed: ${JSON.stringify(out)}`);
    assert.equal(out[1], 'fetch ok router');
  });
});
