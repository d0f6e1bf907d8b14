/** Contract cases: add-ons and their attachments (migration v5). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anOwnedApp, type ContractContext } from './contract-fixtures.case.js';
import { DuplicateError, MissingReferenceError } from './errors.js';
import type { AddonRecord, New, Repos } from './types.js';

let seq = 0;
function anAddon(repos: Repos, appId: string, over: Partial<New<AddonRecord>> = {}): Promise<AddonRecord> {
  return repos.addons.create({
    name: `postgresql-contract-${++seq}`,
    appId,
    service: 'heroku-postgresql',
    plan: 'essential-0',
    state: 'provisioning',
    providerState: {},
    config: {},
    provisionMessage: null,
    ...over,
  });
}

export function addonCases(ctx: ContractContext): void {
  describe('add-ons', () => {
    it('creates, finds by id and name, updates state, provider state and config, lists by app, apps and service', async () => {
      const s = ctx.store;
      const { app } = await anOwnedApp(s);
      const { app: other } = await anOwnedApp(s);
      const a = await anAddon(s, app.id, { name: 'postgresql-curved-12345' });
      const b = await anAddon(s, other.id, { service: 'heroku-redis', plan: 'mini' });
      assert.equal(a.state, 'provisioning');
      assert.deepEqual((await s.addons.findByName('postgresql-curved-12345'))?.id, a.id);
      const updated = await s.addons.update(a.id, { state: 'provisioned', providerState: { database: 'd1', port: 5432 }, config: { URL: 'postgres://u:p@h:1/d1' } });
      assert.equal(updated.state, 'provisioned');
      assert.deepEqual((await s.addons.get(a.id))?.providerState, { database: 'd1', port: 5432 });
      assert.deepEqual((await s.addons.get(a.id))?.config, { URL: 'postgres://u:p@h:1/d1' });
      assert.ok(updated.updatedAt.getTime() > a.updatedAt.getTime());
      assert.deepEqual((await s.addons.listByApp(app.id)).map((x) => x.id), [a.id]);
      assert.deepEqual((await s.addons.listByApps([app.id, other.id])).map((x) => x.id), [a.id, b.id]);
      assert.deepEqual(await s.addons.listByApps([]), []);
      assert.deepEqual((await s.addons.listByService('heroku-redis')).map((x) => x.id), [b.id]);
      assert.equal(await s.addons.get('00000000-0000-0000-0000-000000000000'), undefined);
    });

    it('refuses a duplicate add-on name and an add-on of an unknown app', async () => {
      const s = ctx.store;
      const { app } = await anOwnedApp(s);
      await anAddon(s, app.id, { name: 'postgresql-taken-1' });
      await assert.rejects(anAddon(s, app.id, { name: 'postgresql-taken-1' }), DuplicateError);
      await assert.rejects(anAddon(s, '00000000-0000-0000-0000-000000000000'), MissingReferenceError);
    });

    it('attaches to several apps, one name per app; deleting the add-on or the app removes its attachments', async () => {
      const s = ctx.store;
      const { app } = await anOwnedApp(s);
      const { app: other } = await anOwnedApp(s);
      const addon = await anAddon(s, app.id);
      const own = await s.addonAttachments.create({ addonId: addon.id, appId: app.id, name: 'DATABASE', namespace: null });
      const there = await s.addonAttachments.create({ addonId: addon.id, appId: other.id, name: 'REPORTING', namespace: null });
      await assert.rejects(s.addonAttachments.create({ addonId: addon.id, appId: app.id, name: 'DATABASE', namespace: null }), DuplicateError);
      assert.equal((await s.addonAttachments.find(other.id, 'REPORTING'))?.id, there.id);
      assert.deepEqual((await s.addonAttachments.listByAddon(addon.id)).map((x) => x.name), ['DATABASE', 'REPORTING']);
      assert.deepEqual((await s.addonAttachments.listByApp(other.id)).map((x) => x.id), [there.id]);
      assert.deepEqual((await s.addonAttachments.listByApps([app.id, other.id])).map((x) => x.id), [own.id, there.id]);
      await s.addonAttachments.delete(there.id);
      assert.equal(await s.addonAttachments.get(there.id), undefined);
      await s.addons.delete(addon.id);
      assert.equal(await s.addons.get(addon.id), undefined);
      assert.equal(await s.addonAttachments.get(own.id), undefined);
      const again = await anAddon(s, app.id);
      await s.addonAttachments.create({ addonId: again.id, appId: other.id, name: 'DATABASE', namespace: null });
      await s.apps.delete(other.id);
      assert.deepEqual(await s.addonAttachments.listByAddon(again.id), []);
    });
  });
}
