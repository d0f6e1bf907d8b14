/**
 * The scheduler add-on end to end: the real platform with its scheduler clock 120 times faster
 * (SLIPWAY_SCHEDULER_TIME_SCALE: "every 10 minutes" comes every 5 s), a Procfile app pushed with
 * the real git, the add-on created with the official `heroku` CLI, jobs added with the `slipway`
 * CLI, runs seen in `heroku logs` as `app[scheduler.N]`, a run still going when the next slot comes
 * not started twice, and the jobs gone with the add-on.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SchedulerJob } from '@slipway/contract';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { herokuCli, type HerokuCli } from '../helpers/heroku-cli.js';
import { api, checkout, remoteUrl, waitFor, type Checkout } from './deploy-helpers.js';

const APP = 'sched-e2e';
const here = path.dirname(fileURLToPath(import.meta.url));
const fromDist = here.includes(`${path.sep}dist${path.sep}`);
const repoRoot = path.resolve(here, fromDist ? '../../../../..' : '../../../..');
const cliArgs = fromDist
  ? [path.join(repoRoot, 'packages/cli/dist/src/bin.js')]
  : ['--import', import.meta.resolve('tsx'), path.join(repoRoot, 'packages/cli/src/bin.ts')];

let platform: RunningPlatform;
let heroku: HerokuCli;
let co: Checkout;

before(async () => {
  platform = await startPlatform({ env: { SLIPWAY_SCHEDULER_TIME_SCALE: '120', SLIPWAY_SCHEDULER_TICK_MS: '200' } });
  heroku = await herokuCli(platform);
  const created = await api(platform.url, platform.token, 'POST', '/apps', { name: APP });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  co = await checkout('procfile-app');
  const push = await co.git(['push', remoteUrl(platform.apiPort, APP, platform.token), 'HEAD:main']);
  assert.equal(push.code, 0, push.output);
});

after(async () => {
  await heroku?.close();
  await co?.close();
  await platform?.stop();
});

function slipway(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: heroku.home, SLIPWAY_API_URL: platform.url, SLIPWAY_API_KEY: platform.token, NO_COLOR: '1', COLUMNS: '200', TZ: 'UTC' };
  return new Promise((resolve) => {
    execFile(process.execPath, [...cliArgs, ...args], { env, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const logs = async (dyno: string) => (await heroku.run(['logs', '-a', APP, '-n', '1500', '--dyno', dyno])).stdout;

describe('scheduler add-on', { timeout: 300_000 }, () => {
  test('jobs need the add-on; heroku addons:create scheduler:standard enables them', async () => {
    const refused = await slipway(['scheduler:add', 'echo hi', '--every', '10m', '-a', APP]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /has no scheduler add-on/);
    const created = await heroku.run(['addons:create', 'scheduler:standard', '-a', APP]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stderr + created.stdout, /Created scheduler-/);
  });

  test('a job runs on its 10-minute slot as scheduler.1 and its output is in heroku logs', async () => {
    const added = await slipway(['scheduler:add', 'echo "scheduled hello from $DYNO"', '--every', '10m', '-a', APP]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stderr, /done, scheduler\.1 every 10 minutes/);
    const out = await waitFor('the run in heroku logs', async () => {
      const text = await logs('scheduler.1');
      return text.includes('app[scheduler.1]: scheduled hello from scheduler.1') ? text : undefined;
    }, 60_000);
    assert.match(out, /heroku\[scheduler\.1\]: Starting process with command `echo "scheduled hello from \$DYNO"` by user scheduler@addons\.heroku\.com/);
    const jobs = (await api<SchedulerJob[]>(platform.url, platform.token, 'GET', `/apps/${APP}/scheduler/jobs`)).body;
    const last = new Date(jobs[0]!.last_run_at!);
    assert.equal(last.getUTCMinutes() % 10, 0, 'ran on a :X0 slot');
    assert.equal(last.getUTCSeconds(), 0);
    assert.ok(new Date(jobs[0]!.next_run_at).getTime() > last.getTime());
  });

  test('a run still going when its next slot comes is not started twice, and the skip is logged', async () => {
    const added = await slipway(['scheduler:add', 'echo long run starts; sleep 25', '--every', '10m', '-a', APP]);
    assert.equal(added.code, 0, added.stderr);
    const out = await waitFor('a skipped slot', async () => {
      const text = await logs('scheduler.2');
      return text.includes('Skipping scheduled run') ? text : undefined;
    }, 90_000);
    assert.match(out, /heroku\[scheduler\.2\]: Skipping scheduled run of `echo long run starts; sleep 25`: the previous run is still going/);
    assert.equal(out.split('\n').filter((l) => l.includes('heroku[scheduler.2]: Starting process')).length, 1, out);
    const listed = await slipway(['scheduler', '-a', APP]);
    assert.match(listed.stdout, /scheduler\.2 +every 10 minutes/);
  });

  test('destroying the add-on removes the jobs', async () => {
    const destroyed = await heroku.run(['addons:destroy', 'scheduler', '-a', APP, '--confirm', APP]);
    assert.equal(destroyed.code, 0, destroyed.stderr);
    const after = await api(platform.url, platform.token, 'GET', `/apps/${APP}/scheduler/jobs`);
    assert.equal(after.status, 404);
    const created = await heroku.run(['addons:create', 'scheduler:standard', '-a', APP]);
    assert.equal(created.code, 0, created.stderr);
    assert.deepEqual((await api(platform.url, platform.token, 'GET', `/apps/${APP}/scheduler/jobs`)).body, []);
    const second = await heroku.run(['addons:create', 'scheduler:standard', '-a', APP]);
    assert.notEqual(second.code, 0);
    assert.match(second.stderr, /already has the scheduler add-on/);
    const addons = (await api<{ addon_service: { name: string } }[]>(platform.url, platform.token, 'GET', `/apps/${APP}/addons`)).body;
    assert.equal(addons.filter((a) => a.addon_service.name === 'scheduler').length, 1, 'the refused one left nothing');
  });
});
