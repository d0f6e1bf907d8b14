/**
 * heroku.yml apps (heroku-contract-2.md C7.6) with the official CLI and the real platform:
 * `heroku apps:create --manifest` makes a `container`-stack app and sets `setup.config`; a git push
 * builds it with buildpacks and runs the `run` section's commands as its process types; a
 * `build.docker` section is refused with a clear "not supported yet".
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { herokuCli, type HerokuCli } from '../helpers/heroku-cli.js';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { api, checkout, remoteUrl, routedPage, waitFor, type Checkout } from './deploy-helpers.js';

let platform: RunningPlatform;
let cli: HerokuCli;
let co: Checkout;

before(async () => {
  platform = await startPlatform({ env: { SLIPWAY_BUILD_ISOLATION: 'none' } });
  cli = await herokuCli(platform);
  co = await checkout('manifest-app');
});
after(async () => {
  await co?.close();
  await cli?.close();
  await platform?.stop();
});

test('apps:create --manifest: container stack, setup.config set, run section served after a git push', async () => {
  const created = await cli.run(['apps:create', 'manapp', '--manifest'], { cwd: co.dir });
  assert.equal(created.code, 0, `${created.stdout}\n${created.stderr}`);
  assert.match(created.stderr, /Creating manapp\.\.\. done, stack is container/);
  const app = await api<{ stack: { name: string } }>(platform.url, platform.token, 'GET', '/apps/manapp');
  assert.equal(app.body.stack.name, 'container');
  const config = await api<Record<string, string>>(platform.url, platform.token, 'GET', '/apps/manapp/config-vars');
  assert.equal(config.body.GREETING, 'hello from heroku.yml');

  const push = await co.git(['push', remoteUrl(platform.apiPort, 'manapp', platform.token), 'main']);
  assert.equal(push.code, 0, push.output);
  assert.match(push.output, /Using heroku\.yml: process types from its run section/);
  const formation = await api<{ type: string; command: string }[]>(platform.url, platform.token, 'GET', '/apps/manapp/formation');
  assert.deepEqual(formation.body.map((f) => [f.type, f.command]), [['web', 'node web.js']]);
  const served = await waitFor('manapp to serve', () => routedPage(platform.routerPort, 'manapp').then((p) => (p === 'hello from heroku.yml\n' ? p : undefined)), 120_000);
  assert.equal(served, 'hello from heroku.yml\n');
});

test('a build.docker section is refused: not supported yet, the push fails and nothing is released', async () => {
  const created = await cli.run(['apps:create', 'dockerapp', '--manifest'], { cwd: co.dir });
  assert.equal(created.code, 0, created.stderr);
  await writeFile(path.join(co.dir, 'heroku.yml'), 'build:\n  docker:\n    web: Dockerfile\nrun:\n  web: node web.js\n');
  await co.commit('ask for a Docker build');
  const push = await co.git(['push', remoteUrl(platform.apiPort, 'dockerapp', platform.token), 'main']);
  assert.notEqual(push.code, 0, push.output);
  assert.match(push.output, /heroku\.yml: build\.docker is not supported yet/);
  const releases = await api<{ description: string }[]>(platform.url, platform.token, 'GET', '/apps/dockerapp/releases');
  assert.equal(releases.body.filter((r) => r.description.startsWith('Deploy')).length, 0);
});
