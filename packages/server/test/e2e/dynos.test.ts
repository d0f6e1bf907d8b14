/**
 * The dyno manager end to end (issue 4, "Done when"): the real platform, the dynos-app fixture
 * (web + worker, node:http only) pushed with the real `git`, driven with the official `heroku` CLI
 * and the `slipway` CLI. Scaling (`web=3 worker=1`, `web+2`, `worker=0` with a graceful SIGTERM),
 * a dyno killed from outside restarted with its state changes in the log, one-off dynos detached
 * and attached (`heroku run` through the TLS rendezvous with NODE_EXTRA_CA_CERTS, `slipway run`
 * with --ca-cert) returning the command's exit code, and R10 for a web process that never binds.
 *
 * Runtime: `runc` when usable here (on its own bridge and subnet), else `process`;
 * SLIPWAY_E2E_RUNTIME=process|runc forces one (runc is then skipped with the reason if unusable).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRuncUsable, parseCidr, removeBridge } from '../../src/isolation/index.js';
import { freePort, startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { herokuCli, type CliResult, type HerokuCli } from '../helpers/heroku-cli.js';
import { api, checkout, remoteUrl, waitFor, type Checkout } from './deploy-helpers.js';
import { cleanupRuncData, freeSubnet } from './runc-probe.js';

const APP = 'dynos-e2e';
const forced = process.env.SLIPWAY_E2E_RUNTIME;
const probed = forced === 'process' ? { usable: false as const, reason: 'not probed' } : await isRuncUsable();
const runtime: 'runc' | 'process' = forced === 'runc' || (forced !== 'process' && probed.usable) ? 'runc' : 'process';
const usable = runtime === 'runc' ? probed : { usable: true as const };
const bridge = `slwd${randomBytes(3).toString('hex')}`;
const subnet = runtime === 'runc' ? freeSubnet() : '';
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? '../../../../..' : '../../../..');

interface DynoJson { name: string; type: string; state: string; extended?: { ip: string | null; port: number | null } }

describe(`dyno manager end to end (${runtime})`, { skip: usable.usable ? false : `runc is not usable here: ${(usable as { reason: string }).reason}`, timeout: 300_000 }, () => {
  let platform: RunningPlatform;
  let cli: HerokuCli;
  let co: Checkout;
  let certPath: string;

  const heroku = async (...args: string[]): Promise<CliResult> => {
    const r = await cli.run(args, { env: { NODE_EXTRA_CA_CERTS: certPath } });
    return r;
  };
  const ok = async (...args: string[]): Promise<string> => {
    const r = await heroku(...args);
    assert.equal(r.code, 0, `heroku ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  const dynos = async (): Promise<DynoJson[]> => (await api<DynoJson[]>(platform.url, platform.token, 'GET', `/apps/${APP}/dynos?extended=true`)).body;
  const upCount = (ds: DynoJson[], type: string) => ds.filter((d) => d.type === type && d.state === 'up').length;
  const formation = (want: Record<string, number>) => waitFor(`formation ${JSON.stringify(want)} up`, async () => {
    const ds = await dynos();
    const types = new Set([...Object.keys(want), ...ds.filter((d) => d.type !== 'run').map((d) => d.type)]);
    return [...types].every((t) => upCount(ds, t) === (want[t] ?? 0) && ds.filter((d) => d.type === t).length === (want[t] ?? 0)) ? ds : undefined;
  }, 90_000);
  const logs = () => ok('logs', '-a', APP, '-n', '1500');
  const logged = (what: string, re: RegExp) => waitFor(what, async () => (re.test(await logs()) ? true : undefined), 60_000);

  before(async () => {
    platform = await startPlatform({
      env: {
        SLIPWAY_RUNTIME: runtime, SLIPWAY_RENDEZVOUS_PORT: String(await freePort()), SLIPWAY_BOOT_TIMEOUT_MS: '8000',
        SLIPWAY_STOP_GRACE_MS: '5000', SLIPWAY_RESTART_COOLOFF_MAX_MS: '1000',
        ...(runtime === 'runc' ? { SLIPWAY_RUNC_BRIDGE: bridge, SLIPWAY_RUNC_SUBNET: subnet, SLIPWAY_LISTEN_HOST: '0.0.0.0' } : {}),
      },
    });
    certPath = path.join(platform.dataDir, 'tls', 'cert.pem');
    cli = await herokuCli(platform);
    co = await checkout('dynos-app');
    await ok('apps:create', APP);
    const pushed = await co.git(['push', remoteUrl(platform.apiPort, APP, platform.token), 'HEAD:main']);
    assert.equal(pushed.code, 0, pushed.output);
  });

  after(async () => {
    if (platform) {
      await platform.stop({ keepData: runtime === 'runc' });
      if (runtime === 'runc') {
        await cleanupRuncData(platform.dataDir, { bridge, subnet }).catch(() => undefined);
        await rm(platform.dataDir, { recursive: true, force: true });
      }
    }
    if (runtime === 'runc') await removeBridge({ bridge, subnet: parseCidr(subnet), routerPort: null }).catch(() => undefined);
    await cli?.close();
    await co?.close();
  });

  test('ps:scale web=3 worker=1: four dynos up, each its own process with its own DYNO; web+2 gives five web', async () => {
    const scaled = await heroku('ps:scale', 'web=3', 'worker=1', '-a', APP);
    assert.equal(scaled.code, 0, scaled.stderr);
    assert.match(scaled.stderr, /Scaling dynos\.\.\. done, now running web at 3:Standard-1X, worker at 1:Standard-1X/);
    const ds = await formation({ web: 3, worker: 1 });
    const ps = await ok('ps', '-a', APP);
    for (const name of ['web.1', 'web.2', 'web.3', 'worker.1']) assert.match(ps, new RegExp(`^${name.replace('.', '\\.')}: up `, 'm'), ps);
    const answers = await Promise.all(ds.filter((d) => d.type === 'web').map(async (d) => {
      const res = await fetch(`http://${d.extended!.ip}:${d.extended!.port}/`);
      return (await res.json()) as { dyno: string; pid: number };
    }));
    assert.deepEqual(answers.map((a) => a.dyno).sort(), ['web.1', 'web.2', 'web.3']);
    const workerPid = Number(/worker worker\.1 pid=(\d+) started/.exec(await logs())?.[1] ?? NaN);
    assert.ok(Number.isInteger(workerPid), 'the worker logged its DYNO and pid');
    if (runtime === 'process') assert.equal(new Set([...answers.map((a) => a.pid), workerPid]).size, 4, 'four separate processes');
    else assert.equal((await dynoPids(APP)).size, 4, 'four separate containers');

    await ok('ps:scale', 'web+2', '-a', APP);
    await formation({ web: 5, worker: 1 });
    assert.match(await ok('ps', '-a', APP), /^web\.5: up /m);
  });

  test('worker=0 stops the worker gracefully: it sees SIGTERM', async () => {
    await ok('ps:scale', 'worker=0', 'web=2', '-a', APP);
    await formation({ web: 2 });
    const text = await logs();
    assert.match(text, /app\[worker\.1\]: worker\.1 saw SIGTERM, shutting down gracefully/);
    assert.match(text, /heroku\[worker\.1\]: Stopping all processes with SIGTERM/);
    // The dyno's shell gets the SIGTERM too (the whole process group), so the status may be 143.
    assert.match(text, /heroku\[worker\.1\]: Process exited with status (0|143)/);
  });

  test('a dyno killed from outside is restarted, and its state changes are in the log', async () => {
    const pids = (await dynoPids(APP)).get('web.2');
    assert.ok(pids && pids.length > 0, 'found web.2\'s processes');
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    await logged('web.2 to crash and come back', /heroku\[web\.2\]: State changed from up to crashed[\s\S]*heroku\[web\.2\]: State changed from crashed to starting[\s\S]*heroku\[web\.2\]: State changed from starting to up/);
    assert.match(await logs(), /heroku\[web\.2\]: Process exited with status 137/);
    await formation({ web: 2 });
  });

  test('run:detached logs its output; heroku run and slipway run attach and return the exit code', async () => {
    const detached = await heroku('run:detached', '-a', APP, '--', 'echo "detached on $DYNO"');
    assert.equal(detached.code, 0, detached.stderr);
    const name = /done, (run\.\d+)/.exec(detached.stderr + detached.stdout)?.[1];
    assert.ok(name, detached.stderr);
    await logged('the detached output', new RegExp(`app\\[${name.replace('.', '\\.')}\\]: detached on ${name.replace('.', '\\.')}`));

    const attached = await heroku('run', '-a', APP, '--', 'echo "attached on $DYNO"; exit 3');
    assert.equal(attached.code, 3, `${attached.stdout}\n${attached.stderr}`);
    assert.match(attached.stdout, /^attached on run\.\d+$/m);
    assert.match(attached.stderr, /Process exited with code 3/);
    assert.equal((await heroku('run', '-a', APP, '--', 'true')).code, 0);

    const slip = await slipway(['run', '-a', APP, '--ca-cert', certPath, '--', 'read x; echo "pong $x from $DYNO"; exit 4'], 'ping\n');
    assert.equal(slip.code, 4, `${slip.stdout}\n${slip.stderr}`);
    assert.match(slip.stdout, /^pong ping from run\.\d+$/m);
    const zero = await slipway(['run', '-a', APP, '--ca-cert', certPath, '--', 'echo fine'], '');
    assert.equal(zero.code, 0, zero.stderr);
    assert.equal(zero.stdout, 'fine\n');
    const viaDetached = await slipway(['run', '--detached', '-a', APP, '--', 'echo via slipway'], '');
    assert.equal(viaDetached.code, 0, viaDetached.stderr);
  });

  test('a web process that never binds $PORT gets R10', async () => {
    await ok('ps:scale', 'web=1', '-a', APP);
    await formation({ web: 1 });
    await ok('config:set', 'NO_BIND=1', '-a', APP);
    await logged('R10', /heroku\[web\.1\]: Error R10 \(Boot timeout\) -> Web process failed to bind to \$PORT within 8 seconds of launch/);
    const text = await logs();
    assert.match(text, /app\[web\.1\]: web\.1 will never bind \$PORT/);
    assert.match(text, /heroku\[web\.1\]: Stopping process with SIGKILL/);
    await ok('ps:scale', 'web=0', '-a', APP);
  });

  /** Runs the slipway CLI (its real bin) against the platform, with `input` on stdin. */
  function slipway(args: string[], input: string): Promise<CliResult> {
    return new Promise((resolve) => {
      const bin = path.join(repoRoot, 'packages/cli/src/bin.ts');
      const child = spawn(process.execPath, ['--import', 'tsx', bin, ...args], {
        cwd: repoRoot,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cli.home, SLIPWAY_API_URL: platform.url, SLIPWAY_API_KEY: platform.token },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      child.stdin.end(input);
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? 1, stdout, stderr });
      });
    });
  }
});

/** Host pids of every process of the app's dynos, by dyno name (read from /proc: works for both runtimes). */
async function dynoPids(app: string): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let environ: string;
    try {
      environ = await readFile(`/proc/${entry}/environ`, 'latin1');
    } catch {
      continue;
    }
    const vars = environ.split('\0');
    if (!vars.includes(`HEROKU_APP_NAME=${app}`)) continue;
    const dyno = vars.find((v) => v.startsWith('DYNO='))?.slice(5);
    if (!dyno) continue;
    out.set(dyno, [...(out.get(dyno) ?? []), Number(entry)]);
  }
  return out;
}
