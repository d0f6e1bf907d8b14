/**
 * Logplex end to end: the real platform, a fixture app pushed with the real `git`, requests through
 * the real router, and the logs read with the official `heroku` CLI and the `slipway` CLI —
 * history (`-n`), filters (`--source`, `--dyno`), live tails (spawned, read as they print, killed
 * after), a dead-then-revived syslog drain (bounded buffer, exactly-counted L10) and history that
 * survives a platform restart on the same data dir.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPlatform, freePort, type RunningPlatform } from '../helpers/platform.js';
import { herokuCli, type HerokuCli } from '../helpers/heroku-cli.js';
import { api, checkout, remoteUrl, waitFor, type Checkout } from './deploy-helpers.js';
import { startSyslogReceiver, type SyslogReceiver } from '../../src/logplex/test-kit.js';

const APP = 'logs-e2e';
/** `2026-11-23T14:05:42.123456+00:00 app[web.1]: message` */
const LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00 (app|heroku)\[([\w.]+)\]: /;

const here = path.dirname(fileURLToPath(import.meta.url));
const fromDist = here.includes(`${path.sep}dist${path.sep}`);
const repoRoot = fromDist ? path.resolve(here, '../../../../..') : path.resolve(here, '../../../..');

let platform: RunningPlatform;
let heroku: HerokuCli;
let co: Checkout;
const cleanups: (() => Promise<void>)[] = [];
/** Data dirs given to a restarted platform: removed after it stopped (its last flush writes there). */
const dataDirs: string[] = [];

before(async () => {
  platform = await startPlatform({ env: { SLIPWAY_DRAIN_BUFFER_LINES: '50' } });
  heroku = await herokuCli(platform);
  const created = await api(platform.url, platform.token, 'POST', '/apps', { name: APP });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  co = await checkout('log-app');
  const push = await co.git(['push', remoteUrl(platform.apiPort, APP, platform.token), 'HEAD:main']);
  assert.equal(push.code, 0, push.output);
  await waitFor('the app to answer through the router', async () => ((await routerGet('/hello').catch(() => undefined))?.status === 200 ? true : undefined), 90_000);
});

after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  await heroku?.close();
  await co?.close();
  await platform?.stop();
  for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
});

/** A request through the real router, `Host: logs-e2e.localhost:<port>`. */
function routerGet(p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: platform.routerPort, path: p, headers: { Host: `${APP}.localhost:${platform.routerPort}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

/** The channel's history as the API serves it (a non-tailing log session read to its end). */
async function history(lines = 1500): Promise<string[]> {
  const s = await api<{ logplex_url: string }>(platform.url, platform.token, 'POST', `/apps/${APP}/log-sessions`, { lines, tail: false });
  assert.equal(s.status, 201);
  const res = await fetch(s.body.logplex_url, { headers: { Accept: 'text/event-stream' } });
  assert.equal(res.status, 200);
  return (await res.text()).split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
}

function stdoutLines(out: string): string[] {
  return out.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
}

/** Runs `heroku …` and returns its stdout lines, failing on a non-zero exit. */
async function herokuLogs(args: string[]): Promise<string[]> {
  const r = await heroku.run(['logs', '-a', APP, ...args]);
  assert.equal(r.code, 0, r.stderr);
  return stdoutLines(r.stdout);
}

function slipwayEnv(): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: heroku.home, SLIPWAY_API_URL: platform.url, SLIPWAY_API_KEY: platform.token, NO_COLOR: '1', TZ: 'UTC' };
}

function slipwayArgs(args: string[]): string[] {
  return fromDist
    ? [path.join(repoRoot, 'packages/cli/dist/src/bin.js'), ...args]
    : ['--import', 'tsx', path.join(repoRoot, 'packages/cli/src/bin.ts'), ...args];
}

async function slipwayLogs(args: string[]): Promise<string[]> {
  const child = spawn(process.execPath, slipwayArgs(['logs', '-a', APP, ...args]), { cwd: repoRoot, env: slipwayEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, err);
  return stdoutLines(out);
}

function herokuBin(): string {
  for (let dir = here; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', '.bin', 'heroku');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error('node_modules/.bin/heroku not found');
  }
}

interface Tail {
  output(): string;
  stop(): Promise<void>;
}

/** A long-running `… logs --tail` read as it prints; stopped (its process group killed) after the test. */
function startTail(file: string, args: string[], env: Record<string, string>): Tail {
  // cwd: the repo, where `--import tsx` resolves.
  const child: ChildProcess = spawn(file, args, { cwd: repoRoot, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const tail: Tail = {
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await closed;
    },
  };
  cleanups.push(tail.stop);
  return tail;
}

function herokuTail(args: string[]): Tail {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: heroku.home, XDG_CONFIG_HOME: path.join(heroku.home, '.config'),
    XDG_CACHE_HOME: path.join(heroku.home, '.cache'), XDG_DATA_HOME: path.join(heroku.home, '.local/share'),
    HEROKU_HOST: platform.url, HEROKU_API_KEY: platform.token, HEROKU_PARTICLEBOARD_URL: platform.url,
    DISABLE_TELEMETRY: 'true', HEROKU_SKIP_ANALYTICS: '1', IS_HEROKU_TEST_ENV: 'true', HEROKU_SKIP_NEW_VERSION_CHECK: 'true',
    HEROKU_DISABLE_AUTOUPDATE: '1', NO_COLOR: '1', FORCE_COLOR: '0', LANG: 'C.UTF-8', TZ: 'UTC',
  };
  return startTail(herokuBin(), ['logs', '--tail', '-a', APP, ...args], env);
}

function slipwayTail(args: string[]): Tail {
  return startTail(process.execPath, slipwayArgs(['logs', '--tail', '-a', APP, ...args]), slipwayEnv());
}

/** Waits until the tail printed a line matching `re`; returns the ms it took from `since`. */
async function waitInTail(tail: Tail, re: RegExp, what: string, since: number): Promise<number> {
  const deadline = Date.now() + 30_000;
  while (!re.test(tail.output())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} in the tail; it printed:\n${tail.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - since;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function assertShowsEverything(lines: string[], who: string): void {
  for (const l of lines) assert.match(l, LINE, `${who}: every line is "<timestamp> source[dyno]: message"`);
  const text = lines.join('\n');
  assert.match(text, /app\[api\]: Release v2 created by user admin@example\.com/, `${who}: release line`);
  assert.match(text, /app\[web\.1\]: log-app booting on port \d+/, `${who}: app output (stdout)`);
  assert.match(text, /app\[web\.1\]: log-app listening \(stderr\)/, `${who}: app output (stderr)`);
  assert.match(text, /app\[web\.1\]: log-app request path=\/hello/, `${who}: app output per request`);
  assert.match(text, new RegExp(`heroku\\[router\\]: at=info method=GET path="/hello" host=${APP}\\.localhost:${platform.routerPort} request_id=\\S+ fwd="127\\.0\\.0\\.1" dyno=web\\.1 connect=\\d+ms service=\\d+ms status=200 bytes=\\d+`), `${who}: router line`);
  assert.match(text, /heroku\[web\.1\]: State changed from starting to up/, `${who}: state change`);
}

function assertFilters(run: (args: string[]) => Promise<string[]>, who: string) {
  return async () => {
    const app = await run(['-n', '200', '--source', 'app']);
    assert.ok(app.length > 0);
    for (const l of app) assert.match(l, / app\[[\w.]+\]: /, `${who} --source app: ${l}`);
    assert.ok(app.some((l) => l.includes('app[web.1]: log-app booting')) && app.some((l) => l.includes('app[api]: Release v2')));

    const platformLines = await run(['-n', '200', '--source', 'heroku']);
    for (const l of platformLines) assert.match(l, / heroku\[[\w.]+\]: /, `${who} --source heroku: ${l}`);
    assert.ok(platformLines.some((l) => l.includes('heroku[router]: at=info')) && platformLines.some((l) => l.includes('heroku[web.1]: State changed')));

    const web1 = await run(['-n', '200', '--dyno', 'web.1']);
    for (const l of web1) assert.match(l, / (app|heroku)\[web\.1\]: /, `${who} --dyno web.1: ${l}`);
    assert.ok(web1.some((l) => l.includes('app[web.1]: log-app booting')) && web1.some((l) => l.includes('heroku[web.1]: State changed')));

    const both = await run(['-n', '200', '--source', 'app', '--dyno', 'web.1']);
    assert.ok(both.length > 0);
    for (const l of both) assert.match(l, / app\[web\.1\]: /, `${who} --source app --dyno web.1: ${l}`);

    const last3 = await run(['-n', '3']);
    assert.deepEqual(last3, (await history()).slice(-3), `${who} -n 3: the channel's last three lines`);
  };
}

describe('logs through the official heroku CLI', () => {
  test('heroku logs -n 200: app output, router lines, state changes, releases', async () => {
    const lines = await herokuLogs(['-n', '200']);
    assertShowsEverything(lines, 'heroku logs');
    assert.deepEqual(lines, (await history(200)).slice(-lines.length), 'exactly the channel, oldest first');
  });

  test('heroku logs --source app|heroku, --dyno web.1, -n 3', assertFilters(herokuLogs, 'heroku logs'));

  test('heroku logs --tail shows a new line promptly, with --source/--dyno applied live', async (t) => {
    const all = herokuTail([]);
    const app = herokuTail(['--source', 'app', '--dyno', 'web.1']);
    await waitInTail(all, /log-app booting/, 'the history', Date.now());
    await waitInTail(app, /log-app booting/, 'the history', Date.now());
    const tag = `/tail-${randomBytes(4).toString('hex')}`;
    const t0 = Date.now();
    assert.equal((await routerGet(tag)).status, 200);
    const appMs = await waitInTail(all, new RegExp(`app\\[web\\.1\\]: log-app request path=${esc(tag)}\\n`), 'the new app line', t0);
    const routerMs = await waitInTail(all, new RegExp(`heroku\\[router\\]: at=info method=GET path="${esc(tag)}"`), 'its router line', t0);
    await waitInTail(app, new RegExp(`app\\[web\\.1\\]: log-app request path=${esc(tag)}\\n`), 'the new app line (filtered tail)', t0);
    t.diagnostic(`heroku logs --tail: app line after ${appMs} ms, router line after ${routerMs} ms (request to screen)`);
    // A second request: by the time its app line shows, the first request's router line has passed
    // the filtered tail too; it must not have been printed.
    const tag2 = `/tail2-${randomBytes(4).toString('hex')}`;
    assert.equal((await routerGet(tag2)).status, 200);
    await waitInTail(app, new RegExp(`log-app request path=${esc(tag2)}\\n`), 'the second line (filtered tail)', Date.now());
    await waitInTail(all, new RegExp(`path="${esc(tag2)}"`), 'the second router line', Date.now());
    for (const l of stdoutLines(app.output()).filter((l) => LINE.test(l))) assert.match(l, / app\[web\.1\]: /, `filtered tail printed ${l}`);
    assert.doesNotMatch(app.output(), /heroku\[router\]/);
    await all.stop();
    await app.stop();
  });
});

describe('logs through the slipway CLI', () => {
  test('slipway logs -n 200: app output, router lines, state changes, releases', async () => {
    const lines = await slipwayLogs(['-n', '200']);
    assertShowsEverything(lines, 'slipway logs');
    assert.deepEqual(lines, (await history(200)).slice(-lines.length), 'exactly the channel, oldest first');
  });

  test('slipway logs --source app|heroku, --dyno web.1, -n 3', assertFilters(slipwayLogs, 'slipway logs'));

  test('slipway logs --tail shows a new line promptly', async (t) => {
    const tail = slipwayTail(['--dyno', 'web']);
    await waitInTail(tail, /log-app booting/, 'the history', Date.now());
    const tag = `/stail-${randomBytes(4).toString('hex')}`;
    const t0 = Date.now();
    assert.equal((await routerGet(tag)).status, 200);
    const ms = await waitInTail(tail, new RegExp(`app\\[web\\.1\\]: log-app request path=${esc(tag)}\\n`), 'the new app line', t0);
    t.diagnostic(`slipway logs --tail: app line after ${ms} ms`);
    for (const l of stdoutLines(tail.output()).filter((l) => LINE.test(l))) assert.match(l, /\[web\.1\]: /, `--dyno web tail printed ${l}`);
    await tail.stop();
  });
});

describe('a syslog drain through the platform', () => {
  /** `<pri>1 TS host app web.1 - - msg` → `TS app[web.1]: msg`, the form `heroku logs` prints. */
  const asLogLine = (m: string) => {
    const match = /^<\d+>1 (\S+) \S+ (\S+) (\S+) - - (.*)$/s.exec(m);
    assert.ok(match, `an RFC 5424 frame: ${m}`);
    return `${match[1]} ${match[2]}[${match[3]}]: ${match[4]}`;
  };

  test('a dead drain buffers a bounded number of lines; the L10 report counts the rest exactly', async () => {
    const port = await freePort();
    const add = await heroku.run(['drains:add', `syslog://127.0.0.1:${port}`, '-a', APP]);
    assert.equal(add.code, 0, add.stderr);
    const list = await heroku.run(['drains', '-a', APP]);
    assert.match(list.stdout, new RegExp(`syslog://127\\.0\\.0\\.1:${port}`));

    // 300 lines while nothing listens: the drain keeps 50 (SLIPWAY_DRAIN_BUFFER_LINES) and counts the rest.
    assert.equal((await routerGet('/burst?n=300&tag=stalled')).status, 200);
    await waitFor('the burst on the channel', async () => ((await history(400)).some((l) => l.endsWith('app[web.1]: stalled 299')) ? true : undefined), 30_000);

    const rx: SyslogReceiver = await startSyslogReceiver({ port });
    cleanups.push(() => rx.close());
    await waitFor('the L10 report at the receiver', async () => (rx.messages.some((m) => m.includes('Error L10')) ? true : undefined), 60_000);
    const l10At = rx.messages.findIndex((m) => m.includes('Error L10'));
    const before = rx.messages.slice(0, l10At).map(asLogLine);
    assert.equal(before.length, 50, 'exactly the drain buffer was kept');
    const l10 = rx.messages[l10At];
    const m = /^<172>1 \S+ logs-e2e heroku logplex - - Error L10 \(output buffer overflow\): (\d+) messages dropped since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00\.$/.exec(l10);
    assert.ok(m, l10);
    const dropped = Number(m[1]);

    // Every line the channel admitted from the first buffered one up to the L10 line was either
    // delivered or counted as dropped: exactly.
    const h = await history();
    const first = h.indexOf(before[0]);
    const l10Line = h.findIndex((l) => / heroku\[logplex\]: Error L10 \(output buffer overflow\): /.test(l));
    assert.ok(first >= 0 && l10Line > first, 'the delivered lines and the L10 line are in the history');
    assert.deepEqual(before, h.slice(first, first + 50), 'delivered in order, with the fields heroku logs shows');
    assert.equal(l10Line - first, 50 + dropped, 'delivered + dropped = lines on the channel meanwhile');
    assert.ok(dropped >= 250, `at least the rest of the burst was dropped (${dropped})`);
    assert.equal(h.filter((l) => l.includes('Error L10')).length, 1, 'one L10 line on the channel');

    const removed = await heroku.run(['drains:remove', `syslog://127.0.0.1:${port}`, '-a', APP]);
    assert.equal(removed.code, 0, removed.stderr);
  });
});

describe('history survives a deploy', () => {
  test('a second git push keeps the earlier lines and adds the deploy, the new release and the new dyno', async () => {
    const beforeDeploy = await history();
    await co.commit('second deploy');
    const push = await co.git(['push', remoteUrl(platform.apiPort, APP, platform.token), 'HEAD:main']);
    assert.equal(push.code, 0, push.output);
    const sha = (await co.sha()).slice(0, 7);
    const lines = await waitFor('the new dyno to boot', async () => {
      const h = await history();
      const deployAt = h.findIndex((l) => l.endsWith(`app[api]: Deploy ${sha} by user admin@example.com`));
      return deployAt >= 0 && h.slice(deployAt).some((l) => / app\[web\.1\]: log-app booting/.test(l)) ? h : undefined;
    }, 60_000);
    assert.deepEqual(lines.slice(0, beforeDeploy.length), beforeDeploy, 'every line from before the deploy, in order');
    assert.ok(lines.slice(beforeDeploy.length).some((l) => / app\[api\]: Release v3 created by user admin@example\.com$/.test(l)));
  });
});

describe('history survives a platform restart', () => {
  test('lines written before stop are shown after a start on the same data dir, by both CLIs', async () => {
    const tag = `/before-restart-${randomBytes(4).toString('hex')}`;
    assert.equal((await routerGet(tag)).status, 200);
    await waitFor('the marker line on the channel', async () => ((await history()).some((l) => l.endsWith(`log-app request path=${tag}`)) ? true : undefined), 30_000);
    const beforeStop = await history();

    const { dataDir, env } = platform;
    await platform.stop({ keepData: true });
    dataDirs.push(dataDir);
    platform = await startPlatform({ dataDir, env });

    const shown = await herokuLogs(['-n', '1500']);
    assert.deepEqual(shown.slice(0, beforeStop.length), beforeStop, 'heroku logs: every line from before the restart, unchanged, in order');
    assert.ok(shown.some((l) => l.endsWith(`app[web.1]: log-app request path=${tag}`)));
    const viaSlipway = await slipwayLogs(['-n', '1500', '--source', 'app']);
    assert.deepEqual(
      viaSlipway.slice(0, beforeStop.filter((l) => / app\[/.test(l)).length),
      beforeStop.filter((l) => / app\[/.test(l)),
      'slipway logs --source app: the app lines from before the restart',
    );

    // The channel goes on after the restart: a new line is appended after the old ones.
    await waitFor('the app to answer again', async () => ((await routerGet('/hello').catch(() => undefined))?.status === 200 ? true : undefined), 90_000);
    const tag2 = `/after-restart-${randomBytes(4).toString('hex')}`;
    assert.equal((await routerGet(tag2)).status, 200);
    const after = await waitFor('the new line', async () => {
      const h = await history();
      return h.some((l) => l.endsWith(`log-app request path=${tag2}`)) ? h : undefined;
    }, 30_000);
    assert.ok(after.indexOf(beforeStop.at(-1)!) < after.findIndex((l) => l.endsWith(`path=${tag2}`)));
  });
});
