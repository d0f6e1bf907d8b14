/**
 * Tenant isolation, the container half (issue 18), end to end: the real platform with
 * SLIPWAY_RUNTIME=runc and isolated builds, two apps pushed with the real `git` client from
 * test/fixtures/apps/isolation-app, driven with the official `heroku` CLI. The probes run from
 * inside each app's build (`npm run build`, output in the push) and from inside its dynos
 * (process types scaled to 1, output in `heroku logs`):
 *
 * - `/tmp` is 1777 and writable in builds and dynos;
 * - the seccomp allowlist refuses io_uring, memfd_secret, AF_VSOCK/AF_ALG/AF_PACKET sockets,
 *   keyctl, bpf, perf, userfaultfd, ptrace, namespaces and 32-bit/x32 entries (the probe is
 *   compiled inside the build with the stack's gcc, then run by the build and by a dyno);
 * - each app runs as its own host uid: app A's dyno exhausting the per-user inotify instances
 *   leaves app B's build and dyno working, while app A's own next build is out of them (its build
 *   and its dynos share one uid);
 * - a dyno filling `/app` and `/tmp` is stopped at SLIPWAY_DYNO_DISK_MB with ENOSPC, and the
 *   platform logs `Error R18 (Disk quota exceeded)`; the platform's disk is not touched.
 *
 * Skipped with the reason when runc or gcc is not usable here. Uses its own bridge and /24 subnet.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { isRuncUsable, parseCidr, removeBridge, tenantUidCandidate } from '../../src/isolation/index.js';
import { herokuCli, type HerokuCli } from '../helpers/heroku-cli.js';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { parseSyscallProbe, seccompViolations, syscallProbeSource, syscallProbeUnavailable } from '../helpers/syscall-probe.js';
import { api, checkout, remoteUrl, run, waitFor, type Checkout } from './deploy-helpers.js';
import { cleanupRuncData, freeSubnet, runcList } from './runc-probe.js';

const usable = await isRuncUsable();
const skip = !usable.usable ? `runc is not usable here: ${usable.reason}` : syscallProbeUnavailable() ?? false;
const APP_A = `ri-a-${randomBytes(2).toString('hex')}`;
const APP_B = `ri-b-${randomBytes(2).toString('hex')}`;
const DISK_MB = 24;

describe('tenant isolation from inside builds and dynos (runc)', { skip, timeout: 900_000 }, () => {
  const bridge = `slwt${randomBytes(3).toString('hex')}`;
  const subnet = freeSubnet();
  let platform: RunningPlatform;
  let cli: HerokuCli;
  let co: Checkout;
  const appIds = new Map<string, string>();
  const pushes = new Map<string, string>();

  const heroku = async (...args: string[]) => {
    const r = await cli.run(args);
    assert.equal(r.code, 0, `heroku ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  const push = async (app: string) => {
    await co.commit(`push ${randomBytes(3).toString('hex')}`);
    const r = await co.git(['push', '--force', remoteUrl(platform.apiPort, app, platform.token), 'HEAD:main']);
    assert.equal(r.code, 0, r.output);
    return r.output;
  };
  /** Lines a process type printed (`app[hog.1]: …`), without the log prefix. */
  const linesOf = async (app: string, dyno: string): Promise<string[]> => {
    const out = await heroku('logs', '-n', '1500', '-a', app);
    const prefix = `app[${dyno}]: `;
    return out.split('\n').flatMap((l) => (l.includes(prefix) ? [l.slice(l.indexOf(prefix) + prefix.length).trim()] : []));
  };
  const waitLines = (app: string, dyno: string, done: (lines: string[]) => boolean, what: string) =>
    waitFor(`${app} ${dyno}: ${what}`, async () => {
      const lines = await linesOf(app, dyno);
      return done(lines) ? lines : undefined;
    }, 180_000);
  /** Build output lines the fixture's build-probes.sh printed (`build …`), without the indent. */
  const buildLines = (output: string) => output.split('\n').map((l) => l.replace(/^remote:\s*/, '').trim()).filter((l) => l.startsWith('build '));
  const uidOf = (app: string) => tenantUidCandidate(appIds.get(app)!, 0);
  /** Bytes under the data dir on its own filesystem (`du -x`: the dynos' scratch tmpfs mounts are not counted). */
  const dataDirBytes = async () => {
    const r = await run('du', ['-sxb', platform.dataDir]);
    assert.equal(r.code, 0, r.output);
    return Number(r.output.split(/\s/)[0]);
  };

  before(async () => {
    platform = await startPlatform({
      env: {
        SLIPWAY_RUNTIME: 'runc', SLIPWAY_BUILD_ISOLATION: 'runc', SLIPWAY_RUNC_BRIDGE: bridge, SLIPWAY_RUNC_SUBNET: subnet,
        SLIPWAY_STOP_GRACE_MS: '2000', SLIPWAY_DYNO_DISK_MB: String(DISK_MB),
      },
    });
    cli = await herokuCli(platform);
    co = await checkout('isolation-app');
    await copyFile(syscallProbeSource(), path.join(co.dir, 'syscall-probe.c'));
    for (const app of [APP_A, APP_B]) {
      await heroku('apps:create', app);
      const r = await api<{ id: string }>(platform.url, platform.token, 'GET', `/apps/${app}`);
      appIds.set(app, r.body.id);
      pushes.set(app, await push(app));
    }
  });

  after(async () => {
    if (platform) {
      for (const app of [APP_A, APP_B]) await cli?.run(['apps:destroy', app, '--confirm', app]).catch(() => undefined);
      await waitFor('every dyno gone', async () => (runcList(platform.dataDir).length === 0 ? true : undefined), 60_000).catch(() => undefined);
      await platform.stop({ keepData: true });
      const left = await cleanupRuncData(platform.dataDir, { bridge, subnet }).catch(() => -1);
      if (left !== 0) process.stderr.write(`runc isolation e2e: cleaned up ${left} dynos left running\n`);
      await rm(platform.dataDir, { recursive: true, force: true });
    }
    await removeBridge({ bridge, subnet: parseCidr(subnet), routerPort: null }).catch(() => undefined);
    await cli?.close();
    await co?.close();
  });

  test('builds: /tmp is writable, the seccomp allowlist holds, each app builds as its own uid', () => {
    for (const app of [APP_A, APP_B]) {
      const lines = buildLines(pushes.get(app)!);
      assert.ok(lines.includes('build tmp mode 1777') && lines.includes('build tmp write ok'), lines.join('\n'));
      const probe = parseSyscallProbe(lines.filter((l) => l.startsWith('build probe ')).map((l) => l.slice('build probe '.length)));
      assert.deepEqual(seccompViolations(probe), [], lines.join('\n'));
      assert.ok(lines.includes(`build inotify uid ${uidOf(app)} ok`), lines.join('\n'));
    }
    assert.notEqual(uidOf(APP_A), uidOf(APP_B));
  });

  test('dynos: /tmp is writable and the seccomp allowlist holds', async () => {
    await heroku('ps:scale', 'probe=1', '-a', APP_B);
    const lines = await waitLines(APP_B, 'probe.1', (l) => l.includes('probe tmp write ok'), 'probe done');
    assert.ok(lines.includes('probe tmp mode 1777'), lines.join('\n'));
    const probe = parseSyscallProbe(lines.filter((l) => l.startsWith('probe ')).map((l) => l.slice('probe '.length)));
    assert.deepEqual(seccompViolations(probe), [], lines.join('\n'));
    await heroku('ps:scale', 'probe=0', '-a', APP_B);
  });

  test('one app exhausting inotify instances: another app\'s dyno and build still get theirs, its own build does not', async () => {
    await heroku('ps:scale', 'hog=1', '-a', APP_A);
    const hog = await waitLines(APP_A, 'hog.1', (l) => l.some((x) => x.startsWith('inotify uid')), 'exhausted');
    assert.ok(hog.some((l) => new RegExp(`^inotify uid ${uidOf(APP_A)} exhausted after \\d+: Too many open files$`).test(l)), hog.join('\n'));

    await heroku('ps:scale', 'inotify=1', '-a', APP_B);
    const b = await waitLines(APP_B, 'inotify.1', (l) => l.some((x) => x.startsWith('inotify uid')), 'probed');
    assert.ok(b.includes(`inotify uid ${uidOf(APP_B)} ok`), b.join('\n'));
    assert.ok(buildLines(await push(APP_B)).includes(`build inotify uid ${uidOf(APP_B)} ok`));

    // The same tenant is out of instances in its build too: the limit is real and per app.
    assert.ok(buildLines(await push(APP_A)).includes(`build inotify uid ${uidOf(APP_A)} Too many open files`));
    await heroku('ps:scale', 'hog=0', '-a', APP_A);
    await heroku('ps:scale', 'inotify=0', '-a', APP_B);
  });

  test('a dyno filling /app and /tmp is stopped at the disk limit, with R18 in the app\'s logs', async () => {
    const dataBefore = await dataDirBytes();
    await heroku('ps:scale', 'filler=1', '-a', APP_A);
    const lines = await waitLines(APP_A, 'filler.1', (l) => l.some((x) => x.startsWith('filler tmp')), 'filled');
    assert.ok(lines.includes('filler app: 1'), `dd of 64 MB into /app must fail at ${DISK_MB} MB:\n${lines.join('\n')}`);
    assert.ok(lines.includes('filler tmp: No space left on device'), lines.join('\n'));
    const logs = await waitFor('R18 in the logs', async () => {
      const out = await heroku('logs', '-n', '1500', '-a', APP_A);
      return /heroku\[filler\.1\]: Error R18 \(Disk quota exceeded\)/.test(out) ? out : undefined;
    }, 60_000);
    assert.match(logs, /heroku\[filler\.1\]: Process running disk=2[34]M\((9[9]|100)\.\d%\)/);
    // The fill went to the dyno's tmpfs, not the disk that holds the data dir.
    const dataAfter = await dataDirBytes();
    assert.ok(dataAfter - dataBefore < 8 * 1024 * 1024, `data dir grew from ${dataBefore} to ${dataAfter} bytes`);
    await heroku('ps:scale', 'filler=0', '-a', APP_A);
  });
});
