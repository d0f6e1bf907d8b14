/**
 * The README's quick start, run as written (issue 20, step 4). The test reads the `sh` block under
 * "## Quick start" in README.md: exactly two command lines, the first sets up and starts the
 * platform, the second runs the tests. In a `git clone` of this checkout (committed files only, as
 * a new user gets them) it runs the first line with bash, in its own process group as a terminal
 * would, with the DEFAULT data dir (`./.slipway` inside the clone, whose package.json says
 * `"type": "module"`: the scope that broke every push) and the default ports when they are free.
 * Then it creates an app with the official `heroku` CLI, `git push`es a Node app whose own
 * package.json says `"type": "module"` (test/fixtures/apps/esm-app), gets its page through the
 * router, checks that the dyno is a runc container (when runc is usable here, as in CI) and that
 * `slipway doctor` passes every check, and stops the platform with Ctrl-C (SIGINT to the group).
 *
 * node_modules: `npm ci` in the clone takes minutes on the shared 2-core machine (4 min 57 s in a
 * trial, from a warm npm cache), so the test reuses this checkout's: a hard-link copy (`cp -al`) of node_modules (and
 * packages/server/node_modules) into the clone, and it runs the first line WITHOUT its leading
 * `npm ci && ` (the test asserts that prefix); everything after it, `npm run setup && npm start`,
 * runs as written, including the builds. Host-wide state: default data dir and ports, but its own
 * runc bridge and /24 (SLIPWAY_RUNC_BRIDGE/SUBNET), as every test on this shared host must; ports
 * that are taken are replaced with free ones (SLIPWAY_API_PORT…), and the test says so.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRuncUsable, parseCidr, removeBridge } from '../../src/isolation/index.js';
import { herokuCli, type HerokuCli } from '../helpers/heroku-cli.js';
import { freePort } from '../helpers/platform.js';
import { checkout, remoteUrl, run, waitFor, type Checkout } from './deploy-helpers.js';
import { cleanupRuncData, freeSubnet, hostGet, runcList } from './runc-probe.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? '../../../../..' : '../../../..');
const usable = await isRuncUsable();
const APP = `qs-${randomBytes(3).toString('hex')}`;

/** The command lines of the README's quick start block (comments and blank lines dropped). */
function quickStartLines(readme: string): string[] {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Quick start'));
  assert.ok(section, 'README.md has a "## Quick start" section');
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  assert.ok(block, 'the quick start has a ```sh block');
  return block[1].split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '0.0.0.0', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

describe('the README quick start, run as written in a clone', { timeout: 1_200_000 }, () => {
  const lines = quickStartLines(readFileSync(path.join(repoRoot, 'README.md'), 'utf8'));
  const bridge = `slwq${randomBytes(3).toString('hex')}`;
  const subnet = usable.usable ? freeSubnet() : '10.254.254.0/24';
  let root: string;
  let clone: string;
  let dataDir: string;
  let shell: ChildProcess | undefined;
  let out = '';
  let env: Record<string, string>;
  let apiPort = 5000;
  let routerPort = 8080;
  let token = '';
  let cli: HerokuCli | undefined;
  let co: Checkout | undefined;

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'slipway-readme-'));
    clone = path.join(root, 'slipway');
    dataDir = path.join(clone, '.slipway');
    const cloned = await run('git', ['clone', '--quiet', '--no-hardlinks', repoRoot, clone], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root } });
    assert.equal(cloned.code, 0, cloned.output);
    for (const dir of ['node_modules', 'packages/server/node_modules', 'packages/cli/node_modules', 'packages/contract/node_modules']) {
      if (!existsSync(path.join(repoRoot, dir))) continue;
      const copied = await run('cp', ['-al', path.join(repoRoot, dir), path.join(clone, dir)]);
      assert.equal(copied.code, 0, copied.output);
    }
    env = { PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: root, SLIPWAY_RUNC_BRIDGE: bridge, SLIPWAY_RUNC_SUBNET: subnet };
    const defaults: [string, number][] = [['SLIPWAY_API_PORT', 5000], ['SLIPWAY_ROUTER_PORT', 8080], ['SLIPWAY_RENDEZVOUS_PORT', 5001]];
    for (const [name, port] of defaults) {
      if (await bindable(port)) continue;
      env[name] = String(await freePort());
      process.stdout.write(`# readme quick start: port ${port} is taken on this host, using ${name}=${env[name]}\n`);
    }
    apiPort = Number(env.SLIPWAY_API_PORT ?? 5000);
    routerPort = Number(env.SLIPWAY_ROUTER_PORT ?? 8080);
  });

  after(async () => {
    await cli?.run(['apps:destroy', APP, '--confirm', APP]).catch(() => undefined);
    if (shell && shell.exitCode === null && shell.signalCode === null) {
      process.kill(-shell.pid!, 'SIGINT');
      if (!(await exited(shell, 60_000))) process.kill(-shell.pid!, 'SIGKILL');
    }
    if (usable.usable && dataDir && existsSync(path.join(dataDir, 'runc'))) {
      const left = await cleanupRuncData(dataDir, { bridge, subnet }).catch(() => -1);
      if (left !== 0) process.stderr.write(`readme e2e: cleaned up ${left} dynos left running\n`);
    }
    if (usable.usable) await removeBridge({ bridge, subnet: parseCidr(subnet), routerPort: null }).catch(() => undefined);
    await cli?.close();
    await co?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('the quick start is exactly two command lines: set up and start, then npm test', () => {
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[0], /^npm ci && .*npm start$/);
    assert.match(lines[0], /npm run setup/);
    assert.equal(lines[1], 'npm test');
  });

  test('the first line starts the platform with the default data dir; heroku CLI + git push of a "type": "module" app; served by the router', async () => {
    const prefix = 'npm ci && ';
    assert.ok(lines[0].startsWith(prefix));
    const rest = lines[0].slice(prefix.length);
    shell = spawn('bash', ['-c', rest], { cwd: clone, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const keep = (d: Buffer) => {
      out += d.toString('utf8');
    };
    shell.stdout!.on('data', keep);
    shell.stderr!.on('data', keep);
    const tokenFile = path.join(dataDir, 'admin-token');
    await waitFor('the platform to print its admin token and answer', async () => {
      assert.equal(shell!.exitCode, null, `the quick start exited (${shell!.exitCode}):\n${out}`);
      if (!/Router serves apps at/.test(out) || !existsSync(tokenFile)) return undefined;
      token = readFileSync(tokenFile, 'utf8').trim();
      const res = await fetch(`http://localhost:${apiPort}/account`, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.heroku+json; version=3' } }).catch(() => undefined);
      return res?.status === 200 ? true : undefined;
    }, 600_000);
    assert.match(out, /system packages Slipway uses are installed|Installed .*: every system package Slipway uses is here|Not installing them/);
    assert.match(out, new RegExp(`Admin token for \\S+ \\(shown once, saved to ${tokenFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`));
    if (usable.usable) assert.doesNotMatch(out, /DYNOS ARE NOT ISOLATED/);
    else assert.match(out, /!! DYNOS ARE NOT ISOLATED[\s\S]*!! Why: [\s\S]*!! Fix: /);

    cli = await herokuCli({ url: `http://localhost:${apiPort}`, token });
    const created = await cli.run(['apps:create', APP]);
    assert.equal(created.code, 0, created.stderr);
    co = await checkout('esm-app');
    const pushed = await co.git(['push', remoteUrl(apiPort, APP, token), 'HEAD:main']);
    assert.equal(pushed.code, 0, `git push failed:\n${pushed.output}\n--- platform:\n${out.slice(-4000)}`);
    assert.doesNotMatch(pushed.output, /pre-receive hook declined|require is not defined/);
    assert.match(pushed.output, /remote: +Released v\d+/);
    const page = await waitFor('the app page through the router', async () => {
      const r = await hostGet(`http://127.0.0.1:${routerPort}/`, `${APP}.localhost:${routerPort}`).catch(() => undefined);
      return r?.status === 200 ? r.body : undefined;
    }, 180_000);
    assert.equal(page, `Hello from slipway-fixture-esm-app, an ES module app, dyno web.1\n`);
  });

  test('the dyno is a runc container, and slipway doctor passes every check', { skip: usable.usable ? false : `runc is not usable here: ${usable.reason}` }, async () => {
    assert.ok(shell, 'the platform runs');
    const containers = runcList(dataDir).filter((c) => c.id.startsWith(`${APP}.`));
    assert.equal(containers.length, 1, JSON.stringify(runcList(dataDir)));
    assert.equal(containers[0].status, 'running');
    const doctor = await run(process.execPath, [path.join(clone, 'packages/cli/dist/src/bin.js'), 'doctor'], { cwd: clone, env });
    assert.equal(doctor.code, 0, doctor.output);
    assert.match(doctor.output, /^ok {4}runtime +runc/m);
    assert.match(doctor.output, /^ok {4}data dir +\S+\/\.slipway writable, inside the ES module package scope of \S+\/package\.json/m);
    assert.match(doctor.output, /^ok {4}port api +\d+ is held by this data dir's running platform/m);
    assert.match(doctor.output, /All \d+ checks passed: the platform would run fully isolated\./);
  });

  test('Ctrl-C (SIGINT to the process group) stops the platform, its router and its dynos', async () => {
    assert.ok(shell, 'the platform runs');
    const routerPid = Number(readFileSync(path.join(dataDir, 'router.pid'), 'utf8'));
    process.kill(-shell.pid!, 'SIGINT');
    assert.ok(await exited(shell, 90_000), `the quick start did not stop on SIGINT:\n${out.slice(-3000)}`);
    await waitFor('the router process to stop', async () => (existsSync(`/proc/${routerPid}`) ? undefined : true), 30_000);
    if (usable.usable) assert.deepEqual(runcList(dataDir).filter((c) => c.id.startsWith(`${APP}.`)), []);
  });
});
