/**
 * Contract test against Heroku's published Platform API schema: the real platform's responses for
 * every resource Slipway serves carry every property the schema defines, with the types it allows.
 * A deployed Procfile app provides builds, slugs, releases, formation and dynos.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPlatform, type RunningPlatform } from '../helpers/platform.js';
import { schemaProblems } from '../helpers/heroku-schema.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { api, checkout, FIXTURES, remoteUrl, run, waitFor, type Checkout } from './deploy-helpers.js';

let platform: RunningPlatform;
let co: Checkout;
const APP = 'schema-app';

// Properties of Heroku's schema that Slipway does not serve, and why.
const OMITTED: Record<string, string[]> = {
  // Heroku-only account features: federation, SMS 2FA, delinquency, billing country.
  account: ['federated', 'identity_provider', 'sms_number', 'suspended_at', 'delinquent_at', 'country_of_residence'],
  // OCI image artifacts belong to Heroku's Fir generation; Slipway releases are slugs.
  release: ['artifacts'],
  // Fir-generation build field; Slipway is Cedar-style.
  build: ['generation'],
  // Slugs are garbage-collected, never soft-deleted.
  slug: ['deleted_at'],
};

const get = async <T = unknown>(p: string) => {
  const res = await api<T>(platform.url, platform.token, 'GET', p);
  assert.equal(res.status, 200, `GET ${p}: ${JSON.stringify(res.body)}`);
  return res.body;
};
const expectShape = (resource: string, value: unknown) => {
  assert.deepEqual(schemaProblems(resource, value, OMITTED[resource] ?? []), [], `${resource}: ${JSON.stringify(value)}`);
};

before(async () => {
  platform = await startPlatform({ env: { SLIPWAY_BUILD_ISOLATION: 'none' } });
  assert.equal((await api(platform.url, platform.token, 'POST', '/apps', { name: APP })).status, 201);
  co = await checkout('procfile-app');
  await co.commit('schema contract');
  const pushed = await co.git(['push', remoteUrl(platform.apiPort, APP, platform.token), 'main']);
  assert.equal(pushed.code, 0, pushed.output);
});

after(async () => {
  await co?.close();
  await platform?.stop();
});

test('account, app and config vars', async () => {
  expectShape('account', await get('/account'));
  expectShape('app', await get(`/apps/${APP}`));
  for (const app of await get<unknown[]>('/apps')) expectShape('app', app);
  const config = await get<Record<string, unknown>>(`/apps/${APP}/config-vars`);
  for (const v of Object.values(config)) assert.equal(typeof v, 'string');
});

test('builds, slugs and releases of a git push', async () => {
  const builds = await get<{ id: string; slug: { id: string } | null }[]>(`/apps/${APP}/builds`);
  assert.ok(builds.length >= 1);
  for (const b of builds) expectShape('build', b);
  const slugId = builds.find((b) => b.slug)?.slug?.id;
  assert.ok(slugId, 'a build with a slug');
  expectShape('slug', await get(`/apps/${APP}/slugs/${slugId}`));
  const releases = await get<{ version: number }[]>(`/apps/${APP}/releases`);
  assert.ok(releases.length >= 2);
  for (const r of releases) expectShape('release', r);
  expectShape('release', await get(`/apps/${APP}/releases/${releases.at(-1)!.version}`));
});

test('formation and dynos', async () => {
  const formation = await get<{ type: string }[]>(`/apps/${APP}/formation`);
  assert.deepEqual(formation.map((f) => f.type).sort(), ['web', 'worker']);
  for (const f of formation) expectShape('formation', f);
  const dynos = await waitFor('the web dyno', async () => {
    const list = await get<{ state: string }[]>(`/apps/${APP}/dynos`);
    return list.length > 0 ? list : undefined;
  }, 60_000);
  for (const d of dynos) expectShape('dyno', d);
  const oneOff = await api(platform.url, platform.token, 'POST', `/apps/${APP}/dynos`, { command: 'true', attach: false });
  assert.equal(oneOff.status, 201, JSON.stringify(oneOff.body));
  expectShape('dyno', oneOff.body);
});

test('domains, collaborators, buildpack installations', async () => {
  const added = await api(platform.url, platform.token, 'POST', `/apps/${APP}/domains`, { hostname: 'www.schema.example', sni_endpoint: null });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  expectShape('domain', added.body);
  for (const d of await get<unknown[]>(`/apps/${APP}/domains`)) expectShape('domain', d);
  const user = await api<{ email: string }>(platform.url, platform.token, 'POST', '/users', { email: 'collab@schema.example' });
  assert.equal(user.status, 201);
  const collab = await api(platform.url, platform.token, 'POST', `/apps/${APP}/collaborators`, { user: 'collab@schema.example' });
  assert.equal(collab.status, 201, JSON.stringify(collab.body));
  expectShape('collaborator', collab.body);
  for (const c of await get<unknown[]>(`/apps/${APP}/collaborators`)) expectShape('collaborator', c);
  const set = await api<unknown[]>(platform.url, platform.token, 'PUT', `/apps/${APP}/buildpack-installations`, { updates: [{ buildpack: 'heroku/nodejs' }] });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  for (const b of set.body) expectShape('buildpack-installation', b);
});

test('log sessions and log drains', async () => {
  const session = await api(platform.url, platform.token, 'POST', `/apps/${APP}/log-sessions`, { lines: 10, tail: false });
  assert.equal(session.status, 201, JSON.stringify(session.body));
  expectShape('log-session', session.body);
  const drain = await api(platform.url, platform.token, 'POST', `/apps/${APP}/log-drains`, { url: 'syslog://127.0.0.1:9' });
  assert.equal(drain.status, 201, JSON.stringify(drain.body));
  expectShape('log-drain', drain.body);
  for (const d of await get<unknown[]>(`/apps/${APP}/log-drains`)) expectShape('log-drain', d);
});

test('pipelines, couplings, promotions and their targets, app setups', async () => {
  const pipeline = await api<{ id: string }>(platform.url, platform.token, 'POST', '/pipelines', { name: 'schema-pipe' });
  assert.equal(pipeline.status, 201, JSON.stringify(pipeline.body));
  expectShape('pipeline', pipeline.body);
  assert.equal((await api(platform.url, platform.token, 'POST', '/apps', { name: 'schema-prod' })).status, 201);
  for (const [app, stage] of [[APP, 'staging'], ['schema-prod', 'production']]) {
    const c = await api(platform.url, platform.token, 'POST', '/pipeline-couplings', { app, pipeline: pipeline.body.id, stage });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    expectShape('pipeline-coupling', c.body);
  }
  for (const c of await get<unknown[]>(`/pipelines/${pipeline.body.id}/pipeline-couplings`)) expectShape('pipeline-coupling', c);
  expectShape('pipeline-coupling', await get(`/apps/${APP}/pipeline-couplings`));
  for (const p of await get<unknown[]>('/pipelines')) expectShape('pipeline', p);
  const app = await get<{ id: string }>(`/apps/${APP}`);
  const promo = await api<{ id: string }>(platform.url, platform.token, 'POST', '/pipeline-promotions', { pipeline: { id: pipeline.body.id }, source: { app: { id: app.id } } });
  assert.equal(promo.status, 201, JSON.stringify(promo.body));
  expectShape('pipeline-promotion', promo.body);
  const targets = await waitFor('the promotion', async () => {
    const list = await get<{ status: string }[]>(`/pipeline-promotions/${promo.body.id}/promotion-targets`);
    return list.every((t) => t.status !== 'pending') ? list : undefined;
  }, 60_000);
  for (const t of targets) expectShape('pipeline-promotion-target', t);
  expectShape('pipeline-promotion', await get(`/pipeline-promotions/${promo.body.id}`));
  // An app setup (the procfile app has no app.json: nothing required) is answered, then polled by id.
  const source = await api<{ source_blob: { get_url: string; put_url: string } }>(platform.url, platform.token, 'POST', '/sources');
  const tgz = path.join(platform.dataDir, 'schema-setup.tgz');
  const packed = await run('tar', ['-czf', tgz, '-C', path.join(FIXTURES, 'procfile-app'), '.']);
  assert.equal(packed.code, 0, packed.output);
  const put = await fetch(source.body.source_blob.put_url, { method: 'PUT', body: await readFile(tgz) });
  assert.equal(put.status, 200);
  const setup = await api<{ id: string }>(platform.url, platform.token, 'POST', '/app-setups', { source_blob: { url: source.body.source_blob.get_url } });
  assert.equal(setup.status, 201, JSON.stringify(setup.body));
  expectShape('app-setup', setup.body);
  const done = await waitFor('the app setup', async () => {
    const s = await get<{ status: string }>(`/app-setups/${setup.body.id}`);
    return s.status === 'pending' ? undefined : s;
  }, 120_000);
  assert.equal(done.status, 'succeeded', JSON.stringify(done));
  expectShape('app-setup', done);
});
