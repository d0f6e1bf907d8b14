/**
 * Pipelines end to end with the official heroku CLI (heroku-contract-2.md C1) and the real platform:
 * staging and production apps in a pipeline, staging deployed by `git push`, `pipelines:promote`
 * releasing the very same slug to production (no build) with production's own config and its
 * release phase, `pipelines:info`, `pipelines`, `update`, `remove`, `destroy`, and Heroku's errors.
 * The promotion's time (API call → production serving) is printed as a diagnostic; the figure
 * that is compared lives in bench/ (section "pipelines").
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { herokuCli, type HerokuCli } from '../helpers/heroku-cli.js';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { api, checkout, remoteUrl, routedPage, waitFor, type Checkout } from './deploy-helpers.js';

let platform: RunningPlatform;
let cli: HerokuCli;
let co: Checkout;

const here = path.dirname(fileURLToPath(import.meta.url));
const fromDist = here.includes(`${path.sep}dist${path.sep}`);
const repoRoot = path.resolve(here, fromDist ? '../../../../..' : '../../../..');
/** The slipway CLI: the built bin when running from dist, else the source through tsx. */
const slipwayArgs = fromDist
  ? [path.join(repoRoot, 'packages/cli/dist/src/bin.js')]
  : ['--import', import.meta.resolve('tsx'), path.join(repoRoot, 'packages/cli/src/bin.ts')];

function slipway(...args: string[]): Promise<{ code: number; stdout: string; all: string }> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cli.home, SLIPWAY_API_URL: platform.url, SLIPWAY_API_KEY: platform.token, NO_COLOR: '1', COLUMNS: '200', TZ: 'UTC' };
  return new Promise((resolve) => {
    execFile(process.execPath, [...slipwayArgs, ...args], { env, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), all: `${stdout}\n${stderr}` });
    });
  });
}
async function slipwayOk(...args: string[]) {
  const r = await slipway(...args);
  assert.equal(r.code, 0, `slipway ${args.join(' ')} exited ${r.code}:\n${r.all}`);
  return r;
}

before(async () => {
  platform = await startPlatform({ env: { SLIPWAY_BUILD_ISOLATION: 'none' } });
  cli = await herokuCli(platform);
  co = await checkout('pipeline-app');
});
after(async () => {
  await co?.close();
  await cli?.close();
  await platform?.stop();
});

async function heroku(...args: string[]): Promise<{ code: number; all: string; stdout: string }> {
  const r = await cli.run(args, { timeoutMs: 120_000 });
  return { code: r.code, stdout: r.stdout, all: `${r.stdout}\n${r.stderr}` };
}
async function ok(...args: string[]) {
  const r = await heroku(...args);
  assert.equal(r.code, 0, `heroku ${args.join(' ')} exited ${r.code}:\n${r.all}`);
  return r;
}

const page = (app: string) => routedPage(platform.routerPort, app);

interface Release { id: string; version: number; description: string; slug: { id: string } | null; current: boolean }
const currentRelease = async (app: string) => (await api<Release[]>(platform.url, platform.token, 'GET', `/apps/${app}/releases`)).body.find((r) => r.current)!;

test('promote: production serves the staging slug with its own config, no build; info, update, remove, destroy', async (t) => {
  await ok('apps:create', 'pipe-stg');
  await ok('apps:create', 'pipe-prod');
  await ok('config:set', 'WHERE=staging', '-a', 'pipe-stg');
  await ok('config:set', 'WHERE=production', '-a', 'pipe-prod');
  const created = await ok('pipelines:create', 'shop', '-a', 'pipe-stg', '--stage', 'staging');
  assert.match(created.all, /Adding pipe-stg to shop pipeline as staging\.\.\. done/);
  await ok('pipelines:add', 'shop', '-a', 'pipe-prod', '--stage', 'production');
  const twice = await heroku('pipelines:add', 'shop', '-a', 'pipe-stg', '--stage', 'development');
  assert.equal(twice.code, 2, twice.all);
  assert.match(twice.all, /App is already in a pipeline/);

  // Promoting before staging has a slug is refused with Heroku's message shape.
  const early = await heroku('pipelines:promote', '-a', 'pipe-stg');
  assert.notEqual(early.code, 0, early.all);
  assert.match(early.all, /pipe-stg has no release with a slug to promote/);

  const push = await co.git(['push', remoteUrl(platform.apiPort, 'pipe-stg', platform.token), 'main']);
  assert.equal(push.code, 0, push.output);
  await waitFor('staging to serve', () => page('pipe-stg').then((p) => (p === 'hello from staging\n' ? p : undefined)), 120_000)
    .catch((err) => assert.fail(`${err}\n${push.output}\n${platform.output().slice(-4000)}`));
  const staged = await currentRelease('pipe-stg');
  const buildsBefore = (await api<unknown[]>(platform.url, platform.token, 'GET', '/apps/pipe-prod/builds')).body.length;

  const t0 = performance.now();
  const promoted = await ok('pipelines:promote', '-a', 'pipe-stg');
  const tPromoted = performance.now();
  assert.match(promoted.all, /Promotion successful/);
  assert.match(promoted.all, /pipe-prod: succeeded/);
  await waitFor('production to serve', () => page('pipe-prod').then((p) => (p === 'hello from production\n' ? p : undefined)), 120_000);
  const tServing = performance.now();
  t.diagnostic(`pipelines:promote (official CLI, polling every 1 s) took ${Math.round(tPromoted - t0)} ms; production served the promoted release ${Math.round(tServing - t0)} ms after the command started`);

  const prod = await currentRelease('pipe-prod');
  assert.equal(prod.slug?.id, staged.slug?.id, 'production runs the very slug staging built');
  assert.match(prod.description, new RegExp(`^Promote pipe-stg v${staged.version} [0-9a-f]{8}$`));
  assert.equal((await api<unknown[]>(platform.url, platform.token, 'GET', '/apps/pipe-prod/builds')).body.length, buildsBefore, 'no build on production');
  const prodConfig = await api<Record<string, string>>(platform.url, platform.token, 'GET', `/apps/pipe-prod/releases/${prod.version}/config-vars`);
  assert.equal(prodConfig.body.WHERE, 'production');
  assert.equal(await page('pipe-stg'), 'hello from staging\n');
  const logs = await ok('logs', '-a', 'pipe-prod', '-n', '300');
  assert.match(logs.all, /release phase for production/, 'the release phase ran with production\'s config');

  const info = await ok('pipelines:info', 'shop');
  assert.match(info.all, /=== shop/);
  assert.match(info.all, /pipe-stg\s+staging/);
  assert.match(info.all, /pipe-prod\s+production/);
  assert.match(info.all, /owner: admin@example\.com/);
  const list = await ok('pipelines');
  assert.match(list.all, /=== My Pipelines\s+shop/);

  const fromProd = await heroku('pipelines:promote', '-a', 'pipe-prod');
  assert.equal(fromProd.code, 1, fromProd.all);
  assert.match(fromProd.all, /Cannot promote pipe-prod from 'production' stage/);

  await ok('pipelines:update', '-a', 'pipe-prod', '--stage', 'development');
  const coupling = await api<{ stage: string }>(platform.url, platform.token, 'GET', '/apps/pipe-prod/pipeline-couplings');
  assert.equal(coupling.body.stage, 'development');
  const removed = await ok('pipelines:remove', '-a', 'pipe-prod');
  assert.match(removed.all, /Removing pipe-prod\.\.\. done/);
  const notCoupled = await heroku('pipelines:remove', '-a', 'pipe-prod');
  assert.equal(notCoupled.code, 2, notCoupled.all);
  assert.match(notCoupled.all, /App is not part of any pipeline/);
  await ok('pipelines:destroy', 'shop');
  assert.equal((await api(platform.url, platform.token, 'GET', '/apps/pipe-stg/pipeline-couplings')).status, 404);
  // Production keeps serving the promoted slug after the pipeline is gone, and after staging is destroyed.
  await ok('apps:destroy', '-a', 'pipe-stg', '--confirm', 'pipe-stg');
  assert.equal((await currentRelease('pipe-prod')).slug?.id, staged.slug?.id);
  await ok('ps:restart', '-a', 'pipe-prod');
  await waitFor('production to serve after a restart', () => page('pipe-prod').then((p) => (p === 'hello from production\n' ? p : undefined)), 120_000);
});

test('the slipway CLI: pipelines:create/add/info/promote/diff/update/remove/destroy against the real API', async () => {
  await slipwayOk('apps:create', 'slw-stg');
  await slipwayOk('apps:create', 'slw-prod');
  await slipwayOk('config:set', 'WHERE=production', '-a', 'slw-prod');
  await slipwayOk('pipelines:create', 'slwpipe', '-a', 'slw-stg', '--stage', 'staging');
  await slipwayOk('pipelines:add', 'slwpipe', '-a', 'slw-prod', '--stage', 'production');
  const info = await slipwayOk('pipelines:info', 'slwpipe');
  assert.match(info.stdout, /=== slwpipe\n\nowner: admin@example\.com\n/);
  assert.match(info.stdout, /slw-stg\s+staging\s*\n.*slw-prod\s+production/s);
  assert.match((await slipwayOk('pipelines')).stdout, /slwpipe/);

  const push = await co.git(['push', remoteUrl(platform.apiPort, 'slw-stg', platform.token), 'HEAD:main']);
  assert.equal(push.code, 0, push.output);
  const before = await slipwayOk('pipelines:diff', '-a', 'slw-stg');
  assert.match(before.stdout, /=== slw-stg \([0-9a-f]{7}\) differs from slw-prod \(no release\)/);
  const promoted = await slipwayOk('pipelines:promote', '-a', 'slw-stg');
  assert.match(promoted.stdout, /Promotion successful\nslw-prod: succeeded/);
  assert.equal((await currentRelease('slw-prod')).slug?.id, (await currentRelease('slw-stg')).slug?.id);
  assert.match((await slipwayOk('pipelines:diff', '-a', 'slw-stg')).stdout, /=== slw-stg is up to date with slw-prod/);
  await waitFor('slw-prod to serve', () => page('slw-prod').then((p) => (p === 'hello from production\n' ? p : undefined)), 120_000);

  const again = await slipway('pipelines:add', 'slwpipe', '-a', 'slw-stg', '--stage', 'development');
  assert.equal(again.code, 2, again.all);
  assert.match(again.all, /App is already in a pipeline/);
  await slipwayOk('pipelines:update', '-a', 'slw-prod', '--stage', 'staging');
  await slipwayOk('pipelines:remove', '-a', 'slw-prod');
  const gone = await slipway('pipelines:remove', '-a', 'slw-prod');
  assert.equal(gone.code, 2, gone.all);
  assert.match(gone.all, /App is not part of any pipeline/);
  await slipwayOk('pipelines:destroy', 'slwpipe');
  const none = await slipway('pipelines:info', 'slwpipe');
  assert.equal(none.code, 1, none.all);
  assert.match(none.all, /Pipeline not found/);
});
