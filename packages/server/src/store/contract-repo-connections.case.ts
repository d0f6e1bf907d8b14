/** Contract cases: auto-deploy repository connections and their webhook deliveries. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anOwnedApp, type ContractContext } from './contract-fixtures.case.js';

export function repoConnectionCases(ctx: ContractContext): void {
  describe('repo connections', () => {
    it('puts (create or replace), claims each commit once, records each delivery once; they go with the app', async () => {
      const s = ctx.store;
      const { app, user } = await anOwnedApp(s);
      assert.equal(await s.repoConnections.get(app.id), undefined);
      const first = await s.repoConnections.put({
        appId: app.id, repoUrl: 'https://git.example/acme/widgets.git', branch: 'main', webhookSecret: 's1', waitForCi: false, ciApiUrl: null, ciToken: null, userId: user.id,
      });
      assert.equal(first.branch, 'main');
      assert.equal(first.waitForCi, false);
      assert.equal(first.lastCommit, null);
      assert.equal(await s.repoConnections.claimCommit(app.id, 'a'.repeat(40)), true);
      assert.equal(await s.repoConnections.claimCommit(app.id, 'a'.repeat(40)), false);
      assert.equal(await s.repoConnections.claimCommit(app.id, 'b'.repeat(40)), true);
      const second = await s.repoConnections.put({ ...first, branch: 'release', waitForCi: true, ciApiUrl: 'http://ci.example', ciToken: 't' });
      assert.deepEqual([second.branch, second.waitForCi, second.ciApiUrl, second.ciToken, second.lastCommit], ['release', true, 'http://ci.example', 't', 'b'.repeat(40)]);
      assert.equal(second.createdAt.getTime(), first.createdAt.getTime());
      assert.equal(await s.repoConnections.recordDelivery(app.id, 'd-1'), true);
      assert.equal(await s.repoConnections.recordDelivery(app.id, 'd-1'), false);
      assert.equal(await s.repoConnections.recordDelivery(app.id, 'd-2'), true);
      assert.equal(await s.repoConnections.delete(app.id), true);
      assert.equal(await s.repoConnections.delete(app.id), false);
      assert.equal(await s.repoConnections.recordDelivery(app.id, 'd-1'), true, 'disconnecting forgets the deliveries');
      await s.repoConnections.put({ ...first });
      await s.apps.delete(app.id);
      assert.equal(await s.repoConnections.get(app.id), undefined);
    });

    it('keeps a pipeline\'s repository, deliveries, review-app config and one review app per branch; stale ones are listed', async () => {
      const s = ctx.store;
      const { app, user } = await anOwnedApp(s);
      const p = await s.pipelines.create({ name: 'pipe', ownerId: user.id, ownerType: 'user', generation: 'cedar' });
      assert.equal(await s.reviewApps.getRepo(p.id), undefined);
      await s.reviewApps.putRepo({ pipelineId: p.id, repoUrl: 'https://git.example/a/b.git', webhookSecret: 'x', ciApiUrl: null, ciToken: null, userId: user.id });
      assert.equal((await s.reviewApps.getRepo(p.id))!.repoUrl, 'https://git.example/a/b.git');
      await s.reviewApps.putRepo({ pipelineId: p.id, repoUrl: 'https://git.example/a/b.git', webhookSecret: 'x', ciApiUrl: 'https://git.example/api/v1', ciToken: 't', userId: user.id });
      assert.deepEqual([(await s.reviewApps.getRepo(p.id))!.ciApiUrl, (await s.reviewApps.getRepo(p.id))!.ciToken], ['https://git.example/api/v1', 't']);
      assert.equal(await s.reviewApps.recordDelivery(p.id, 'd'), true);
      assert.equal(await s.reviewApps.recordDelivery(p.id, 'd'), false);
      await s.reviewApps.putConfig({ pipelineId: p.id, automaticReviewApps: true, destroyStaleApps: false, waitForCi: false });
      const cfg = await s.reviewApps.putConfig({ pipelineId: p.id, automaticReviewApps: true, destroyStaleApps: true, waitForCi: false });
      assert.deepEqual([cfg.automaticReviewApps, cfg.destroyStaleApps, cfg.waitForCi], [true, true, false]);
      const ra = await s.reviewApps.create({ pipelineId: p.id, branch: 'feature/x', status: 'creating', userId: user.id, commit: 'a'.repeat(40) });
      await assert.rejects(s.reviewApps.create({ pipelineId: p.id, branch: 'feature/x', status: 'creating', userId: user.id, commit: null }));
      const updated = await s.reviewApps.update(ra.id, { appId: app.id, status: 'created', lastPushAt: new Date(1_000) });
      assert.equal(updated.appId, app.id);
      assert.equal((await s.reviewApps.findByBranch(p.id, 'feature/x'))!.id, ra.id);
      assert.equal((await s.reviewApps.findByApp(app.id))!.id, ra.id);
      assert.deepEqual((await s.reviewApps.listStale(new Date(2_000))).map((r) => r.id), [ra.id]);
      assert.deepEqual(await s.reviewApps.listStale(new Date(500)), []);
      await s.apps.delete(app.id);
      assert.equal(await s.reviewApps.get(ra.id), undefined, 'the review app goes with its app');
      await s.pipelines.delete(p.id);
      assert.equal(await s.reviewApps.getRepo(p.id), undefined);
      assert.equal(await s.reviewApps.getConfig(p.id), undefined);
    });
  });
}
