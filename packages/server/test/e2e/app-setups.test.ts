/**
 * App setups (Heroku's deploy button) end to end on the real platform: a tarball with an app.json is
 * uploaded (`POST /sources`, `PUT`), and `POST /app-setups` creates the app, its config (overrides,
 * values, a generated secret), builds it, applies the formation and runs `scripts.postdeploy` once
 * as a one-off dyno; `GET /app-setups/{id}` is polled as Heroku's clients do. A required variable
 * missing is refused before anything exists; an add-on no provider offers fails the setup clearly.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { herokuCli, type HerokuCli } from '../helpers/heroku-cli.js';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { api, checkout, FIXTURES, remoteUrl, routedPage, run, waitFor } from './deploy-helpers.js';

let platform: RunningPlatform;
let cli: HerokuCli;
let work: string;

before(async () => {
  platform = await startPlatform({ env: { SLIPWAY_BUILD_ISOLATION: 'none' } });
  cli = await herokuCli(platform);
  work = await mkdtemp(path.join(os.tmpdir(), 'slipway-setups-'));
});
after(async () => {
  await cli?.close();
  await platform?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Packs the fixture (with app.json edited by `edit`) and uploads it; returns the get_url. */
async function upload(name: string, edit?: (json: Record<string, unknown>) => void): Promise<string> {
  const dir = path.join(work, name);
  await cp(path.join(FIXTURES, 'setup-app'), dir, { recursive: true });
  if (edit) {
    const json = JSON.parse(await readFile(path.join(dir, 'app.json'), 'utf8')) as Record<string, unknown>;
    edit(json);
    await writeFile(path.join(dir, 'app.json'), JSON.stringify(json));
  }
  const tgz = path.join(work, `${name}.tgz`);
  const packed = await run('tar', ['-czf', tgz, '-C', dir, '.']);
  assert.equal(packed.code, 0, packed.output);
  const source = await api<{ source_blob: { put_url: string; get_url: string } }>(platform.url, platform.token, 'POST', '/sources');
  const put = await fetch(source.body.source_blob.put_url, { method: 'PUT', body: await readFile(tgz) });
  assert.equal(put.status, 200);
  return source.body.source_blob.get_url;
}

interface Setup {
  id: string; status: string; failure_message: string | null; manifest_errors: string[]; app: { name: string };
  build: { status: string } | null; postdeploy: { output: string; exit_code: number } | null; resolved_success_url: string | null;
}

async function settled(id: string): Promise<Setup> {
  return waitFor(`app setup ${id}`, async () => {
    const r = await api<Setup>(platform.url, platform.token, 'GET', `/app-setups/${id}`);
    return r.body.status === 'pending' ? undefined : r.body;
  }, 300_000);
}

const page = (app: string) => routedPage(platform.routerPort, app);

const appNames = async () => (await api<{ name: string }[]>(platform.url, platform.token, 'GET', '/apps')).body.map((a) => a.name).sort();

test('a required variable missing is refused before anything is created', async () => {
  const url = await upload('missing');
  const before = await appNames();
  const r = await api<{ id: string; message: string }>(platform.url, platform.token, 'POST', '/app-setups', { app: { name: 'setup-missing' }, source_blob: { url } });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body, { id: 'invalid_params', message: 'Missing required config vars: ADMIN_EMAIL. app.json requires them; give them in overrides.env.' });
  assert.deepEqual(await appNames(), before, 'no app was created');
});

test('deploy button: the app is built and served, secrets differ per app, postdeploy runs once on creation', async () => {
  const url = await upload('ok');
  const pipeline = await api<{ id: string }>(platform.url, platform.token, 'POST', '/pipelines', { name: 'setups' });
  assert.equal(pipeline.status, 201);
  const setups: Setup[] = [];
  for (const name of ['setup-a', 'setup-b']) {
    // setup-b also joins a pipeline, as `heroku pipelines:setup` asks (pipeline_coupling).
    const coupling = name === 'setup-b' ? { pipeline_coupling: { pipeline: pipeline.body.id, stage: 'staging' } } : {};
    const r = await api<Setup>(platform.url, platform.token, 'POST', '/app-setups', { app: { name }, source_blob: { url }, overrides: { env: { ADMIN_EMAIL: `ops@${name}.example.com` } }, ...coupling });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.status, 'pending');
    setups.push(await settled(r.body.id));
  }
  for (const [i, s] of setups.entries()) {
    const name = ['setup-a', 'setup-b'][i];
    assert.equal(s.status, 'succeeded', JSON.stringify(s));
    assert.equal(s.build?.status, 'succeeded');
    assert.deepEqual(s.manifest_errors, []);
    assert.deepEqual(s.postdeploy, { output: `postdeploy ran for ops@${name}.example.com\n`, exit_code: 0 });
    assert.equal(s.resolved_success_url, `http://${name}.localhost:${platform.routerPort}/welcome`);
  }
  const coupled = await api<{ stage: string; pipeline: { id: string } }>(platform.url, platform.token, 'GET', '/apps/setup-b/pipeline-couplings');
  assert.deepEqual([coupled.status, coupled.body.pipeline.id, coupled.body.stage], [200, pipeline.body.id, 'staging']);
  assert.equal((await api(platform.url, platform.token, 'GET', '/apps/setup-a/pipeline-couplings')).status, 404);
  const config = async (app: string) => (await api<Record<string, string>>(platform.url, platform.token, 'GET', `/apps/${app}/config-vars`)).body;
  const [a, b] = [await config('setup-a'), await config('setup-b')];
  assert.match(a.SECRET_KEY_BASE, /^[0-9a-f]{64}$/);
  assert.notEqual(a.SECRET_KEY_BASE, b.SECRET_KEY_BASE, 'a generated secret differs per app');
  assert.deepEqual([a.GREETING, a.ADMIN_EMAIL, 'OPTIONAL_FLAG' in a], ['hello', 'ops@setup-a.example.com', false]);
  await waitFor('setup-a to serve', () => page('setup-a').then((p) => (p === 'hello ops@setup-a.example.com\n' ? p : undefined)), 120_000);
  const formation = await api<{ type: string; quantity: number }[]>(platform.url, platform.token, 'GET', '/apps/setup-a/formation');
  assert.deepEqual(formation.body.map((f) => [f.type, f.quantity]), [['web', 1]]);

  // A later deploy by git push builds and releases, and postdeploy does not run again.
  const co = await checkout('setup-app');
  try {
    await co.commit('second deploy');
    const push = await co.git(['push', remoteUrl(platform.apiPort, 'setup-a', platform.token), 'main']);
    assert.equal(push.code, 0, push.output);
  } finally {
    await co.close();
  }
  const logs = await cli.run(['logs', '-a', 'setup-a', '-n', '1500']);
  assert.equal(logs.code, 0, logs.stderr);
  assert.equal(logs.stdout.split('\n').filter((l) => /app\[release\.\d+\]: postdeploy ran for/.test(l)).length, 1, logs.stdout);
  const releases = (await api<{ description: string }[]>(platform.url, platform.token, 'GET', '/apps/setup-a/releases')).body.map((r) => r.description);
  assert.equal(releases.filter((d) => d.startsWith('Deploy ')).length, 2, releases.join('\n'));
});

test('app.json add-ons are provisioned before the build; one no provider offers fails the setup with a clear message', async () => {
  const url = await upload('addons', (json) => { json.addons = [{ plan: 'scheduler:standard' }]; });
  const r = await api<Setup>(platform.url, platform.token, 'POST', '/app-setups', { app: { name: 'setup-addons' }, source_blob: { url }, overrides: { env: { ADMIN_EMAIL: 'x@example.com' } } });
  assert.equal(r.status, 201);
  const s = await settled(r.body.id);
  assert.equal(s.status, 'succeeded', JSON.stringify(s));
  const addons = (await api<{ addon_service: { name: string } }[]>(platform.url, platform.token, 'GET', '/apps/setup-addons/addons')).body;
  assert.deepEqual(addons.map((a) => a.addon_service.name), ['scheduler']);

  const url2 = await upload('addons2', (json) => { json.addons = ['no-such-service:mini']; });
  const r2 = await api<Setup>(platform.url, platform.token, 'POST', '/app-setups', { app: { name: 'setup-addons-2' }, source_blob: { url: url2 }, overrides: { env: { ADMIN_EMAIL: 'x@example.com' } } });
  assert.equal(r2.status, 201);
  const s2 = await settled(r2.body.id);
  assert.equal(s2.status, 'failed');
  assert.match(s2.failure_message ?? '', /^Add-on no-such-service:mini could not be provisioned: /);
  assert.deepEqual(s2.manifest_errors, [s2.failure_message]);
  assert.equal(s2.build, null, 'nothing built');
});

test('bad requests are Heroku-style errors', async () => {
  const ftp = await api<{ id: string; message: string }>(platform.url, platform.token, 'POST', '/app-setups', { source_blob: { url: 'ftp://example.com/a.tgz' } });
  assert.deepEqual([ftp.status, ftp.body.id], [422, 'invalid_params']);
  const bad = await upload('badjson', (json) => { json.formation = { web: { quantity: -2 } }; });
  const invalid = await api<{ id: string; message: string }>(platform.url, platform.token, 'POST', '/app-setups', { source_blob: { url: bad } });
  assert.equal(invalid.status, 422);
  assert.match(invalid.body.message, /^app\.json is invalid at formation\.web\.quantity/);
  assert.equal((await api(platform.url, platform.token, 'GET', '/app-setups/00000000-0000-4000-8000-000000000000')).status, 404);
});
