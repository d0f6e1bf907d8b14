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
  });
}
