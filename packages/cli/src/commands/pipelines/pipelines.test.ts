import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useMockApi } from '../../testing/mock-api.js';
import { runCommand } from '../../testing/run-cli.js';

const api = useMockApi();
const PIPE = { id: '11111111-1111-4111-8111-111111111111', name: 'shop', owner: { id: 'u1', type: 'user' }, generation: { name: 'cedar' }, created_at: '', updated_at: '' };
const anApp = (id: string, name: string) => ({ id, name, owner: { id: 'u1', email: 'dev@example.com' } });
const aCoupling = (appId: string, name: string, stage: string) => ({ id: `c-${appId}`, app: { id: appId, name }, pipeline: { id: PIPE.id, name: 'shop' }, stage });

function expectListing() {
  api.expect('GET', `/pipelines/${PIPE.id}/pipeline-couplings`, { body: [aCoupling('a2', 'shop-prod', 'production'), aCoupling('a1', 'shop-stg', 'staging')] });
  api.expect('POST', '/filters/apps', { body: [anApp('a1', 'shop-stg'), anApp('a2', 'shop-prod')] });
}

describe('pipelines:create and add', () => {
  it('creates the pipeline, then couples the app at its stage', async () => {
    api.expect('POST', '/pipelines', { status: 201, body: PIPE });
    api.expect('POST', '/pipeline-couplings', { status: 201, body: aCoupling('a1', 'shop-stg', 'staging') });
    const r = await runCommand(['pipelines:create', 'shop', '-a', 'shop-stg', '--stage', 'staging'], { apiUrl: api.url });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(api.requests[0].body, { name: 'shop', generation: { name: 'cedar' } });
    assert.deepEqual(api.requests[1].body, { app: 'shop-stg', pipeline: PIPE.id, stage: 'staging' });
    assert.equal(r.stderr, 'Creating shop pipeline... done\nAdding shop-stg to shop pipeline as staging... done\n');
    api.assertDone();
  });

  it('refuses an unknown stage before calling the API', async () => {
    const r = await runCommand(['pipelines:add', 'shop', '-a', 'x', '--stage', 'qa'], { apiUrl: api.url });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Invalid --stage qa: use one of review, development, staging, production/);
    api.assertDone();
  });

  it('says when no pipeline has the name', async () => {
    api.expect('GET', '/pipelines?eq[name]=nope', { body: [] });
    const r = await runCommand(['pipelines:add', 'nope', '-a', 'x', '--stage', 'staging'], { apiUrl: api.url });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Pipeline not found/);
    api.assertDone();
  });
});

describe('pipelines:info', () => {
  it('lists the apps in Heroku\'s stage order with the owner', async () => {
    api.expect('GET', '/pipelines?eq[name]=shop', { body: [PIPE] });
    expectListing();
    const r = await runCommand(['pipelines:info', 'shop'], { apiUrl: api.url });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(api.find('POST', '/filters/apps')?.body, { in: { id: ['a2', 'a1'] } });
    assert.match(r.stdout, /^=== shop\n\nowner: dev@example.com\n\n/);
    assert.match(r.stdout, /shop-stg\s+staging\s*\n.*shop-prod\s+production/s);
    api.assertDone();
  });
});

describe('pipelines:promote', () => {
  it('promotes to the next stage and waits for every target', async () => {
    api.expect('GET', '/apps/shop-stg/pipeline-couplings', { body: aCoupling('a1', 'shop-stg', 'staging') });
    expectListing();
    api.expect('POST', '/pipeline-promotions', { status: 201, body: { id: 'p1', status: 'pending' } });
    api.expect('GET', '/pipeline-promotions/p1/promotion-targets', { body: [{ app: { id: 'a2' }, status: 'pending', release: null, error_message: null }] });
    api.expect('GET', '/pipeline-promotions/p1/promotion-targets', { body: [{ app: { id: 'a2' }, status: 'succeeded', release: { id: 'r9' }, error_message: null }] });
    const r = await runCommand(['pipelines:promote', '-a', 'shop-stg'], { apiUrl: api.url });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(api.find('POST', '/pipeline-promotions')?.body, { pipeline: { id: PIPE.id }, source: { app: { id: 'a1' } }, targets: [{ app: { id: 'a2' } }] });
    assert.equal(r.stdout, '\nPromotion successful\nshop-prod: succeeded\n');
    api.assertDone();
  });

  it('prints a failed target\'s error and exits 1', async () => {
    api.expect('GET', '/apps/shop-stg/pipeline-couplings', { body: aCoupling('a1', 'shop-stg', 'staging') });
    expectListing();
    api.expect('POST', '/pipeline-promotions', { status: 201, body: { id: 'p2', status: 'pending' } });
    api.expect('GET', '/pipeline-promotions/p2/promotion-targets', { body: [{ app: { id: 'a2' }, status: 'failed', release: null, error_message: 'Release command failed (exit 3)' }] });
    const r = await runCommand(['pipelines:promote', '-a', 'shop-stg', '--to', 'shop-prod'], { apiUrl: api.url });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Promotion to some apps failed\nshop-prod: failed\n {2}Release command failed \(exit 3\)/);
    api.assertDone();
  });

  it('refuses to promote from production', async () => {
    api.expect('GET', '/apps/shop-prod/pipeline-couplings', { body: aCoupling('a2', 'shop-prod', 'production') });
    expectListing();
    const r = await runCommand(['pipelines:promote', '-a', 'shop-prod'], { apiUrl: api.url });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Cannot promote shop-prod from 'production' stage/);
    api.assertDone();
  });
});

describe('pipelines:update, remove, destroy, diff', () => {
  it('restages through the app\'s coupling', async () => {
    api.expect('GET', '/apps/shop-stg/pipeline-couplings', { body: aCoupling('a1', 'shop-stg', 'staging') });
    api.expect('PATCH', '/pipeline-couplings/c-a1', { body: aCoupling('a1', 'shop-stg', 'development') });
    const r = await runCommand(['pipelines:update', '-a', 'shop-stg', '--stage', 'development'], { apiUrl: api.url });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(api.find('PATCH', '/pipeline-couplings/c-a1')?.body, { stage: 'development' });
    api.assertDone();
  });

  it('removes, and shows the API\'s message when the app is in no pipeline', async () => {
    api.expect('GET', '/apps/loner/pipeline-couplings', { status: 404, body: { id: 'not_found', message: 'App is not part of any pipeline' } });
    const r = await runCommand(['pipelines:remove', '-a', 'loner'], { apiUrl: api.url });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Removing loner\.\.\. !\n.*App is not part of any pipeline/s);
    api.assertDone();
  });

  it('destroys by name', async () => {
    api.expect('GET', '/pipelines?eq[name]=shop', { body: [PIPE] });
    api.expect('DELETE', `/pipelines/${PIPE.id}`, { body: PIPE });
    const r = await runCommand(['pipelines:destroy', 'shop'], { apiUrl: api.url });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, 'Destroying shop pipeline... done\n');
    api.assertDone();
  });

  it('diffs the released commits with the next stage', async () => {
    api.expect('GET', '/apps/shop-stg/pipeline-couplings', { body: aCoupling('a1', 'shop-stg', 'staging') });
    expectListing();
    api.expect('GET', '/apps/shop-stg/releases', { body: [{ version: 3, status: 'succeeded', slug: { id: 's3' } }] });
    api.expect('GET', '/apps/shop-stg/slugs/s3', { body: { id: 's3', commit: 'aaaaaaa1111' } });
    api.expect('GET', '/apps/shop-prod/releases', { body: [{ version: 2, status: 'succeeded', slug: { id: 's2' } }] });
    api.expect('GET', '/apps/shop-prod/slugs/s2', { body: { id: 's2', commit: 'bbbbbbb2222' } });
    const r = await runCommand(['pipelines:diff', '-a', 'shop-stg'], { apiUrl: api.url });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '=== shop-stg (aaaaaaa) differs from shop-prod (bbbbbbb)\n');
    api.assertDone();
  });
});
