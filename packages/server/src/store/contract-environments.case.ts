/** Contract cases: pipelines, couplings, promotions, app.json manifests and app setups (v7). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aRelease, aSlug, aUser, anApp, anOwnedApp, type ContractContext } from './contract-fixtures.case.js';
import { DuplicateError } from './errors.js';

export function environmentCases(ctx: ContractContext): void {
  describe('pipelines', () => {
    it('creates, finds by name (not unique), lists by name, renames and deletes with its couplings, leaving the apps', async () => {
      const s = ctx.store;
      const { user, app } = await anOwnedApp(s);
      const b = await s.pipelines.create({ name: 'bravo', ownerId: user.id, ownerType: 'user', generation: 'cedar' });
      const a1 = await s.pipelines.create({ name: 'alpha', ownerId: user.id, ownerType: 'user', generation: 'cedar' });
      const a2 = await s.pipelines.create({ name: 'alpha', ownerId: user.id, ownerType: 'user', generation: 'fir' });
      assert.deepEqual((await s.pipelines.list()).map((p) => p.id), [a1.id, a2.id, b.id]);
      assert.deepEqual((await s.pipelines.findByName('alpha')).map((p) => [p.id, p.generation]), [[a1.id, 'cedar'], [a2.id, 'fir']]);
      assert.deepEqual(await s.pipelines.findByName('nope'), []);
      const renamed = await s.pipelines.update(b.id, { name: 'charlie' });
      assert.equal(renamed.name, 'charlie');
      assert.ok(renamed.updatedAt > b.updatedAt);
      const c = await s.pipelines.couple({ pipelineId: b.id, appId: app.id, stage: 'staging' });
      await s.pipelines.delete(b.id);
      assert.equal(await s.pipelines.get(b.id), undefined);
      assert.equal(await s.pipelines.coupling(c.id), undefined);
      assert.ok(await s.apps.get(app.id));
    });

    it('couples an app to one pipeline only, changes its stage, uncouples; deleting the app uncouples it', async () => {
      const s = ctx.store;
      const { user, app } = await anOwnedApp(s);
      const prod = await anApp(s, user);
      const p = await s.pipelines.create({ name: 'p', ownerId: user.id, ownerType: 'user', generation: 'cedar' });
      const q = await s.pipelines.create({ name: 'q', ownerId: user.id, ownerType: 'user', generation: 'cedar' });
      const c1 = await s.pipelines.couple({ pipelineId: p.id, appId: app.id, stage: 'staging' });
      const c2 = await s.pipelines.couple({ pipelineId: p.id, appId: prod.id, stage: 'production' });
      await assert.rejects(s.pipelines.couple({ pipelineId: q.id, appId: app.id, stage: 'staging' }), DuplicateError);
      assert.deepEqual((await s.pipelines.couplings(p.id)).map((c) => [c.appId, c.stage]), [[app.id, 'staging'], [prod.id, 'production']]);
      assert.equal((await s.pipelines.couplingForApp(app.id))?.id, c1.id);
      assert.equal((await s.pipelines.setStage(c1.id, 'development')).stage, 'development');
      await s.pipelines.uncouple(c1.id);
      assert.equal(await s.pipelines.couplingForApp(app.id), undefined);
      await s.apps.delete(prod.id);
      assert.equal(await s.pipelines.coupling(c2.id), undefined);
      assert.deepEqual(await s.pipelines.couplings(p.id), []);
    });
  });

  describe('slug shares', () => {
    it('lets another app get a shared slug by id; deleting the owner hands the slug to the first app it was shared with', async () => {
      const s = ctx.store;
      const { user, app } = await anOwnedApp(s);
      const prod = await anApp(s, user);
      const other = await anApp(s, user);
      const slug = await aSlug(s, app);
      assert.equal(await s.slugs.get(prod.id, slug.id), undefined);
      await s.slugs.share(slug.id, prod.id);
      await s.slugs.share(slug.id, prod.id);
      await s.slugs.share(slug.id, app.id);
      await s.slugs.share(slug.id, other.id);
      assert.equal((await s.slugs.get(prod.id, slug.id))?.id, slug.id);
      assert.deepEqual(await s.slugs.sharedWith(slug.id), [prod.id, other.id]);
      assert.deepEqual((await s.slugs.list(prod.id)).map((x) => x.id), []);
      await s.apps.delete(app.id);
      const kept = await s.slugs.get(prod.id, slug.id);
      assert.equal(kept?.appId, prod.id);
      assert.equal(kept?.blobPath, slug.blobPath);
      assert.deepEqual(await s.slugs.sharedWith(slug.id), [other.id]);
      assert.equal((await s.slugs.get(other.id, slug.id))?.id, slug.id);
    });
  });

  describe('promotions', () => {
    it('records a promotion with ordered pending targets and updates each target and the whole', async () => {
      const s = ctx.store;
      const { user, app } = await anOwnedApp(s);
      const t1 = await anApp(s, user);
      const t2 = await anApp(s, user);
      const p = await s.pipelines.create({ name: 'p', ownerId: user.id, ownerType: 'user', generation: 'cedar' });
      const release = await aRelease(s, app, user);
      const promo = await s.promotions.create({ pipelineId: p.id, sourceAppId: app.id, sourceReleaseId: release.id, userId: user.id, targetAppIds: [t2.id, t1.id] });
      assert.equal(promo.status, 'pending');
      assert.deepEqual(await s.promotions.get(promo.id), promo);
      const targets = await s.promotions.targets(promo.id);
      assert.deepEqual(targets.map((t) => [t.appId, t.status, t.releaseId, t.errorMessage]), [[t2.id, 'pending', null, null], [t1.id, 'pending', null, null]]);
      const ok = await s.promotions.updateTarget(targets[0].id, { status: 'succeeded', releaseId: release.id });
      assert.deepEqual([ok.status, ok.releaseId], ['succeeded', release.id]);
      const bad = await s.promotions.updateTarget(targets[1].id, { status: 'failed', errorMessage: 'release command failed' });
      assert.deepEqual([bad.status, bad.errorMessage], ['failed', 'release command failed']);
      assert.equal((await s.promotions.setStatus(promo.id, 'failed')).status, 'failed');
      await s.pipelines.delete(p.id);
      assert.equal(await s.promotions.get(promo.id), undefined);
      assert.deepEqual(await s.promotions.targets(promo.id), []);
    });
  });

  describe('app manifests and app setups', () => {
    it('puts and replaces an app.json per app', async () => {
      const s = ctx.store;
      const { app } = await anOwnedApp(s);
      assert.equal(await s.appManifests.get(app.id), undefined);
      await s.appManifests.put(app.id, { env: { A: { required: true } } });
      const second = await s.appManifests.put(app.id, { environments: { review: { env: { B: '1' } } } });
      assert.deepEqual((await s.appManifests.get(app.id))?.manifest, { environments: { review: { env: { B: '1' } } } });
      assert.deepEqual((await s.appManifests.get(app.id))?.updatedAt, second.updatedAt);
    });

    it('creates a pending setup, records build, errors and postdeploy, and goes with its app', async () => {
      const s = ctx.store;
      const user = await aUser(s);
      const app = await anApp(s, user);
      const setup = await s.appSetups.create({ appId: app.id, sourceUrl: 'https://example.com/a.tgz', userId: user.id });
      assert.deepEqual(
        [setup.status, setup.failureMessage, setup.buildId, setup.manifestErrors, setup.postdeploy],
        ['pending', null, null, [], null],
      );
      const done = await s.appSetups.update(setup.id, {
        status: 'succeeded', buildId: '3f1c0a4e-0000-4000-8000-000000000001', manifestErrors: ['add-on heroku-redis not available'],
        postdeploy: { output: 'seeded\n', exitCode: 0 },
      });
      assert.deepEqual(await s.appSetups.get(setup.id), done);
      assert.deepEqual(done.postdeploy, { output: 'seeded\n', exitCode: 0 });
      await s.apps.delete(app.id);
      assert.equal(await s.appSetups.get(setup.id), undefined);
    });
  });
}
