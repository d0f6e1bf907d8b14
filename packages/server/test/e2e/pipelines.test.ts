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
import { herokuCli, type HerokuCli } from '../helpers/heroku-cli.js';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { api, checkout, remoteUrl, routedPage, waitFor, type Checkout } from './deploy-helpers.js';

let platform: RunningPlatform;
let cli: HerokuCli;
let co: Checkout;

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
