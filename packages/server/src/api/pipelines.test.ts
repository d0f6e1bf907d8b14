/**
 * Pipelines over the real API, store and apps service: couplings, Heroku's errors, and promotions
 * that release the source's very slug to the next stage with the target's own config. The release
 * phase is the e2e file's business (it needs dynos); here a slug with a `release` type meets a
 * platform without a dyno manager and the target reports that error.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SlipwayError } from '../errors.js';
import { silentLogger } from '../log/index.js';
import { createPipelineService, type PipelineService } from '../pipelines/index.js';
import type { AppRecord } from '../store/types.js';
import { pipelineRoutes } from './routes/pipelines.js';
import { startTestApi, type TestApi } from '../../test/helpers/api-server.js';

let t: TestApi;
let pipelines: PipelineService;
let alice: string;
let bob: string;

before(async () => {
  t = await startTestApi({
    extraRoutes: ({ store, apps, config }) => {
      pipelines = createPipelineService({
        store, dataDir: config.dataDir, logger: silentLogger,
        deployRelease: (i) => apps.deployRelease(i),
        runReleasePhase: async () => {
          throw new SlipwayError('unavailable', 'No dyno manager runs on this platform: the release phase cannot run.');
        },
        saveReleaseOutput: async () => undefined,
      });
      return pipelineRoutes({ config, store, apps, pipelines });
    },
  });
  alice = await t.user('alice@example.com');
  bob = await t.user('bob@example.com');
});
after(async () => {
  await pipelines.stop();
  await t.close();
});

async function anApp(name: string, token = alice): Promise<AppRecord> {
  const r = await t.request('POST', '/apps', { token, body: { name } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return (await t.store.apps.findByName(name))!;
}

/** A slug released on the app as a build would (`Deploy <sha>`). */
async function deployed(app: AppRecord, processTypes: Record<string, string> = { web: 'node web.js' }, commit = 'c0ffee00112233445566') {
  const slug = await t.store.slugs.create({
    appId: app.id, checksum: 'SHA256:aa', size: 10, processTypes, commit, commitDescription: null, buildpackProvidedDescription: 'Node.js',
    stack: app.stack, blobPath: `slugs/${app.id}.tgz`,
  });
  const release = await t.apps.deployRelease({ app, slugId: slug.id, description: `Deploy ${commit.slice(0, 7)}`, user: app.ownerId });
  return { slug, release };
}

async function createPipeline(name: string, token = alice) {
  const r = await t.request('POST', '/pipelines', { token, body: { name, generation: { name: 'cedar' } } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body as { id: string; name: string };
}

async function promote(token: string, body: unknown) {
  const r = await t.request('POST', '/pipeline-promotions', { token, body });
  if (r.status !== 201) return r;
  await pipelines.stop();
  return r;
}

describe('pipelines API', () => {
  it('creates a pipeline and couples apps by name or id; an app is in one pipeline only', async () => {
    const p = await createPipeline('shop');
    const stg = await anApp('shop-stg');
    const prod = await anApp('shop-prod');
    const c1 = await t.request('POST', '/pipeline-couplings', { token: alice, body: { app: 'shop-stg', pipeline: p.id, stage: 'staging' } });
    assert.equal(c1.status, 201);
    assert.deepEqual([c1.body.app.id, c1.body.pipeline.name, c1.body.stage], [stg.id, 'shop', 'staging']);
    assert.equal((await t.request('POST', '/pipeline-couplings', { token: alice, body: { app: prod.id, pipeline: p.id, stage: 'production' } })).status, 201);
    const again = await t.request('POST', '/pipeline-couplings', { token: alice, body: { app: 'shop-stg', pipeline: p.id, stage: 'development' } });
    assert.deepEqual([again.status, again.body], [422, { id: 'invalid_params', message: 'App is already in a pipeline' }]);
    const badStage = await t.request('POST', '/pipeline-couplings', { token: alice, body: { app: 'shop-stg', pipeline: p.id, stage: 'qa' } });
    assert.deepEqual([badStage.status, badStage.body.message], [422, 'stage must be one of review, development, staging, production.']);

    const byName = await t.request('GET', '/pipelines?eq[name]=shop', { token: alice });
    assert.deepEqual(byName.body.map((x: { id: string }) => x.id), [p.id]);
    assert.deepEqual((await t.request('GET', '/pipelines?eq[name]=nope', { token: alice })).body, []);
    const couplings = await t.request('GET', `/pipelines/${p.id}/pipeline-couplings`, { token: alice });
    assert.deepEqual(couplings.body.map((c: { app: { id: string }; stage: string }) => [c.app.id, c.stage]), [[stg.id, 'staging'], [prod.id, 'production']]);
    const mine = await t.request('GET', '/apps/shop-stg/pipeline-couplings', { token: alice });
    assert.deepEqual([mine.body.pipeline.id, mine.body.stage], [p.id, 'staging']);

    const filtered = await t.request('POST', '/filters/apps', { token: alice, body: { in: { id: [prod.id, stg.id] } } });
    assert.deepEqual(filtered.body.map((a: { name: string }) => a.name).sort(), ['shop-prod', 'shop-stg']);
    assert.equal(filtered.body[0].owner.email, 'alice@example.com');
    // Bob sees neither the pipeline nor its apps.
    assert.equal((await t.request('GET', `/pipelines/${p.id}`, { token: bob })).status, 404);
    assert.deepEqual((await t.request('GET', '/pipelines', { token: bob })).body, []);
    assert.deepEqual((await t.request('POST', '/filters/apps', { token: bob, body: { in: { id: [prod.id] } } })).body, []);
  });

  it('restages and removes a coupling; an uncoupled app answers Heroku\'s 404', async () => {
    const p = await createPipeline('restage');
    await anApp('restage-a');
    const c = await t.request('POST', '/pipeline-couplings', { token: alice, body: { app: 'restage-a', pipeline: p.id, stage: 'staging' } });
    const patched = await t.request('PATCH', `/pipeline-couplings/${c.body.id}`, { token: alice, body: { stage: 'development' } });
    assert.equal(patched.body.stage, 'development');
    assert.equal((await t.request('DELETE', `/pipeline-couplings/${c.body.id}`, { token: alice })).status, 200);
    const gone = await t.request('GET', '/apps/restage-a/pipeline-couplings', { token: alice });
    assert.deepEqual([gone.status, gone.body.message], [404, 'App is not part of any pipeline']);
  });

  it('renames and destroys a pipeline (couplings go, apps stay); only its owner destroys it', async () => {
    const p = await createPipeline('doomed');
    await anApp('doomed-a');
    await t.request('POST', '/pipeline-couplings', { token: alice, body: { app: 'doomed-a', pipeline: p.id, stage: 'staging' } });
    assert.equal((await t.request('PATCH', `/pipelines/${p.id}`, { token: alice, body: { name: 'doomed-2' } })).body.name, 'doomed-2');
    const badName = await t.request('POST', '/pipelines', { token: alice, body: { name: 'Bad Name' } });
    assert.equal(badName.status, 422);
    const del = await t.request('DELETE', `/pipelines/${p.id}`, { token: alice, body: { name: 'doomed-2' } });
    assert.equal(del.status, 200);
    assert.equal((await t.request('GET', `/pipelines/${p.id}`, { token: alice })).status, 404);
    assert.equal((await t.request('GET', '/apps/doomed-a/pipeline-couplings', { token: alice })).status, 404);
    assert.equal((await t.request('GET', '/apps/doomed-a', { token: alice })).status, 200);
  });
});

describe('promotions', () => {
  it('release the staging slug to every production app with each target\'s own config, without a build', async () => {
    const p = await createPipeline('promo');
    const stg = await anApp('promo-stg');
    const prod = await anApp('promo-prod');
    const prod2 = await anApp('promo-prod2');
    for (const [a, stage] of [[stg, 'staging'], [prod, 'production'], [prod2, 'production']] as const) {
      await t.request('POST', '/pipeline-couplings', { token: alice, body: { app: a.id, pipeline: p.id, stage } });
    }
    await t.request('PATCH', '/apps/promo-stg/config-vars', { token: alice, body: { WHERE: 'staging' } });
    await t.request('PATCH', '/apps/promo-prod/config-vars', { token: alice, body: { WHERE: 'production' } });
    const { slug, release } = await deployed(stg, { web: 'node web.js', worker: 'node worker.js' });

    const r = await promote(alice, { pipeline: { id: p.id }, source: { app: { id: stg.id } } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.deepEqual([r.body.source.app.id, r.body.source.release.id, r.body.pipeline.id], [stg.id, release.id, p.id]);
    const targets = await t.request('GET', `/pipeline-promotions/${r.body.id}/promotion-targets`, { token: alice });
    assert.deepEqual(targets.body.map((x: { app: { id: string }; status: string; error_message: null }) => [x.app.id, x.status, x.error_message]),
      [[prod.id, 'succeeded', null], [prod2.id, 'succeeded', null]]);
    assert.equal((await t.request('GET', `/pipeline-promotions/${r.body.id}`, { token: alice })).body.status, 'completed');

    const current = (await t.request('GET', '/apps/promo-prod/releases', { token: alice })).body.at(-1);
    assert.equal(current.id, targets.body[0].release.id);
    assert.equal(current.slug.id, slug.id, 'the same slug id as staging');
    assert.equal(current.description, `Promote promo-stg v${release.version} c0ffee00`);
    const config = await t.request('GET', `/apps/promo-prod/releases/${current.version}/config-vars`, { token: alice });
    assert.equal(config.body.WHERE, 'production');
    assert.deepEqual(await t.store.builds.list(prod.id), []);
    assert.equal((await t.store.slugs.get(prod.id, slug.id))?.id, slug.id, 'the slug is shared with the target');
    const formation = await t.request('GET', '/apps/promo-prod2/formation', { token: alice });
    assert.deepEqual(formation.body.map((f: { type: string }) => f.type).sort(), ['web', 'worker']);
  });

  it('refuses an app with no release, a promotion to itself, a stranger, an unknown pipeline, and the production end', async () => {
    const p = await createPipeline('refuse');
    const stg = await anApp('refuse-stg');
    const prod = await anApp('refuse-prod');
    const outsider = await anApp('refuse-out');
    await t.request('POST', '/pipeline-couplings', { token: alice, body: { app: stg.id, pipeline: p.id, stage: 'staging' } });
    await t.request('POST', '/pipeline-couplings', { token: alice, body: { app: prod.id, pipeline: p.id, stage: 'production' } });
    const body = (source: string, targets?: string[]) => ({ pipeline: { id: p.id }, source: { app: { id: source } }, ...(targets ? { targets: targets.map((id) => ({ app: { id } })) } : {}) });

    const noSlug = await promote(alice, body(stg.id));
    assert.deepEqual([noSlug.status, noSlug.body], [422, { id: 'invalid_params', message: 'refuse-stg has no release with a slug to promote; deploy it first.' }]);
    await deployed(stg);
    const self = await promote(alice, body(stg.id, [stg.id]));
    assert.deepEqual([self.status, self.body.message], [422, 'Cannot promote refuse-stg to itself.']);
    const stranger = await promote(alice, body(stg.id, [outsider.id]));
    assert.deepEqual([stranger.status, stranger.body.message], [422, `Target app ${outsider.id} is not part of this pipeline.`]);
    await deployed(prod);
    const end = await promote(alice, body(prod.id));
    assert.deepEqual([end.status, end.body.message], [422, "Cannot promote refuse-prod from 'production' stage."]);
    const unknown = await promote(alice, { pipeline: { id: '00000000-0000-4000-8000-000000000000' }, source: { app: { id: stg.id } } });
    assert.deepEqual([unknown.status, unknown.body.id], [404, 'not_found']);
    const bobs = await promote(bob, body(stg.id));
    assert.equal(bobs.status, 404);
    const malformed = await promote(alice, { pipeline: p.id, source: { app: { id: stg.id } } });
    assert.deepEqual([malformed.status, malformed.body.id], [422, 'invalid_params']);
  });

  it('reports a failed target with its error and leaves that app on its release', async () => {
    const p = await createPipeline('phase');
    const stg = await anApp('phase-stg');
    const prod = await anApp('phase-prod');
    await t.request('POST', '/pipeline-couplings', { token: alice, body: { app: stg.id, pipeline: p.id, stage: 'staging' } });
    await t.request('POST', '/pipeline-couplings', { token: alice, body: { app: prod.id, pipeline: p.id, stage: 'production' } });
    await deployed(stg, { web: 'node web.js', release: './migrate' });
    const before = await t.store.releases.current(prod.id);
    const r = await promote(alice, { pipeline: { id: p.id }, source: { app: { id: stg.id } } });
    const targets = await t.request('GET', `/pipeline-promotions/${r.body.id}/promotion-targets`, { token: alice });
    assert.deepEqual(targets.body.map((x: { status: string; error_message: string }) => [x.status, x.error_message]),
      [['failed', 'No dyno manager runs on this platform: the release phase cannot run.']]);
    assert.equal((await t.store.releases.current(prod.id))?.id, before?.id);
  });
});
