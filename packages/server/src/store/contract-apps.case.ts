/** Contract cases: apps (unique names, update, cascade delete) and config vars. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { NotFoundError, SlipwayError } from '../errors.js';
import { aDyno, aRelease, aSlug, aUser, anApp, anOwnedApp, type ContractContext } from './contract-fixtures.case.js';
import { NameTakenError } from './errors.js';
import type { AppRecord, Repos } from './types.js';

/** Gives an app one of everything that can belong to it. */
async function furnish(s: Repos, app: AppRecord, userId: string, tag: string): Promise<void> {
  const friend = await aUser(s);
  await s.collaborators.add(app.id, friend.id);
  await s.configVars.patch(app.id, { KEY: tag });
  const slug = await aSlug(s, app);
  const release = await s.releases.create({ appId: app.id, slugId: slug.id, config: { KEY: tag }, description: 'Deploy', status: 'succeeded', userId });
  await s.builds.create({
    appId: app.id, status: 'succeeded', sourceUrl: 'git', sourceVersion: null, sourceChecksum: null, buildpacks: [],
    slugId: slug.id, releaseId: release.id, userId,
  });
  await s.buildpacks.replace(app.id, ['heroku/nodejs']);
  await s.formation.upsert(app.id, { type: 'web', quantity: 1 });
  await s.dynos.upsert(aDyno(app, { releaseId: release.id, releaseVersion: release.version }));
  await s.domains.create({ appId: app.id, hostname: `${tag}.localhost`, kind: 'heroku', cname: null });
  await s.audit.record({ appId: app.id, userId, action: 'release.create', message: `Release v1 created by ${tag}`, data: {} });
  await s.drains.create({ appId: app.id, url: `syslog+tls://${tag}.example.com:514`, token: `d.${tag}` });
}

async function holdings(s: Repos, appId: string): Promise<number[]> {
  return [
    (await s.collaborators.list(appId)).length,
    Object.keys(await s.configVars.get(appId)).length,
    (await s.slugs.list(appId)).length,
    await s.releases.count(appId),
    (await s.builds.list(appId)).length,
    (await s.buildpacks.list(appId)).length,
    (await s.formation.list(appId)).length,
    (await s.dynos.list(appId)).length,
    (await s.domains.list(appId)).length,
    (await s.audit.list(appId)).length,
    (await s.drains.list(appId)).length,
  ];
}

export function appCases(ctx: ContractContext): void {
  describe('apps', () => {
    it('creates, gets, finds by name and lists sorted by name', async () => {
      const s = ctx.store;
      const owner = await aUser(s);
      const id = randomUUID();
      const released = new Date('2030-05-06T07:08:09.010Z');
      const b = await anApp(s, owner, { id, name: 'bravo', region: 'eu', maintenance: true, preboot: true, releasedAt: released });
      assert.equal(b.id, id);
      assert.deepEqual(
        { name: b.name, ownerId: b.ownerId, region: b.region, stack: b.stack, maintenance: b.maintenance, preboot: b.preboot },
        { name: 'bravo', ownerId: owner.id, region: 'eu', stack: 'heroku-24', maintenance: true, preboot: true },
      );
      assert.deepEqual(b.releasedAt, released);
      const a = await anApp(s, owner, { name: 'alpha' });
      assert.equal(a.maintenance, false);
      assert.equal(a.releasedAt, null);
      assert.deepEqual(await s.apps.get(id), b);
      assert.deepEqual(await s.apps.findByName('alpha'), a);
      assert.equal(await s.apps.findByName('charlie'), undefined);
      assert.equal(await s.apps.get(randomUUID()), undefined);
      assert.deepEqual(await s.apps.list(), [a, b]);
    });

    it('keeps names unique: create and rename to a taken name fail with name_taken', async () => {
      const s = ctx.store;
      const owner = await aUser(s);
      await anApp(s, owner, { name: 'taken' });
      const other = await anApp(s, owner, { name: 'other' });
      await assert.rejects(anApp(s, owner, { name: 'taken' }), (err: unknown) => {
        assert.ok(err instanceof NameTakenError && err instanceof SlipwayError);
        assert.equal(err.code, 'name_taken');
        assert.equal(err.message, 'Name taken is already taken');
        return true;
      });
      await assert.rejects(s.apps.update(other.id, { name: 'taken' }), NameTakenError);
      assert.equal((await s.apps.get(other.id))?.name, 'other');
      assert.equal((await s.apps.list()).length, 2);
    });

    it('updates the given fields and updatedAt; an unknown id is not_found', async () => {
      const s = ctx.store;
      const { app } = await anOwnedApp(s, { name: 'before' });
      const at = new Date('2031-01-01T00:00:00.000Z');
      const renamed = await s.apps.update(app.id, { name: 'after', maintenance: true, preboot: true, stack: 'heroku-22', releasedAt: at });
      assert.deepEqual(
        { ...renamed, updatedAt: undefined },
        { ...app, name: 'after', maintenance: true, preboot: true, stack: 'heroku-22', releasedAt: at, updatedAt: undefined },
      );
      assert.ok(renamed.updatedAt > app.updatedAt);
      assert.deepEqual(renamed.createdAt, app.createdAt);
      assert.equal(await s.apps.findByName('before'), undefined);
      assert.deepEqual(await s.apps.findByName('after'), renamed);
      const off = await s.apps.update(app.id, { maintenance: false, releasedAt: null });
      assert.equal(off.maintenance, false);
      assert.equal(off.releasedAt, null);
      assert.equal(off.name, 'after');
      await assert.rejects(s.apps.update(randomUUID(), { maintenance: true }), NotFoundError);
    });

    it('deletes an app and everything that belongs to it, and nothing else', async () => {
      const s = ctx.store;
      const owner = await aUser(s);
      const doomed = await anApp(s, owner, { name: 'doomed' });
      const kept = await anApp(s, owner, { name: 'kept' });
      await furnish(s, doomed, owner.id, 'doomed');
      await furnish(s, kept, owner.id, 'kept');
      assert.deepEqual(await holdings(s, doomed.id), [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);

      await s.apps.delete(doomed.id);
      assert.equal(await s.apps.get(doomed.id), undefined);
      assert.deepEqual(await holdings(s, doomed.id), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
      assert.deepEqual(await s.formation.listAll().then((f) => f.map((x) => x.appId)), [kept.id]);
      assert.deepEqual(await s.dynos.listAll().then((d) => d.map((x) => x.appId)), [kept.id]);
      assert.deepEqual(await s.domains.listAll().then((d) => d.map((x) => x.hostname)), ['kept.localhost']);
      assert.deepEqual(await s.drains.listAll().then((d) => d.map((x) => x.appId)), [kept.id]);
      assert.deepEqual(await holdings(s, kept.id), [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
      assert.ok(await s.users.get(owner.id), 'the owner stays');
      await s.apps.delete(doomed.id); // deleting twice is harmless
    });
  });

  describe('config vars', () => {
    it('gets, patches (null unsets) and replaces', async () => {
      const s = ctx.store;
      const { app } = await anOwnedApp(s);
      const { app: other } = await anOwnedApp(s);
      assert.deepEqual(await s.configVars.get(app.id), {});
      assert.deepEqual(await s.configVars.patch(app.id, { B: '2', A: '1', EMPTY: '' }), { A: '1', B: '2', EMPTY: '' });
      assert.deepEqual(await s.configVars.patch(app.id, { A: 'one', B: null, MISSING: null, C: 'x=y;"z"\n' }), {
        A: 'one', C: 'x=y;"z"\n', EMPTY: '',
      });
      assert.deepEqual(await s.configVars.get(app.id), { A: 'one', C: 'x=y;"z"\n', EMPTY: '' });
      await s.configVars.patch(other.id, { OTHER: 'yes' });
      await s.configVars.replace(app.id, { ONLY: 'this' });
      assert.deepEqual(await s.configVars.get(app.id), { ONLY: 'this' });
      await s.configVars.replace(app.id, {});
      assert.deepEqual(await s.configVars.get(app.id), {});
      assert.deepEqual(await s.configVars.get(other.id), { OTHER: 'yes' });
    });
  });

  describe('releases belong to their app', () => {
    it('does not find another app’s release by id or version', async () => {
      const s = ctx.store;
      const { user, app } = await anOwnedApp(s);
      const { app: other } = await anOwnedApp(s);
      const r = await aRelease(s, app, user);
      assert.equal(await s.releases.get(other.id, r.id), undefined);
      assert.equal(await s.releases.get(other.id, 1), undefined);
    });
  });
}
