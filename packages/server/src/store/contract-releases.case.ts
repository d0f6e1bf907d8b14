/** Contract cases: releases, slugs, builds, buildpacks. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { NotFoundError } from '../errors.js';
import { aRelease, aSlug, anOwnedApp, type ContractContext } from './contract-fixtures.case.js';
import type { AppRecord, Repos, UserRecord } from './types.js';

const aBuild = (s: Repos, app: AppRecord, user: UserRecord, version: string) =>
  s.builds.create({
    appId: app.id, status: 'pending', sourceUrl: `git://${app.name}`, sourceVersion: version, sourceChecksum: null,
    buildpacks: ['heroku/nodejs', 'https://example.com/bp.tgz'], slugId: null, releaseId: null, userId: user.id,
  });

export function releaseCases(ctx: ContractContext): void {
  describe('releases', () => {
    it('numbers versions per app from 1 and round-trips every field', async () => {
      const s = ctx.store;
      const { user, app } = await anOwnedApp(s);
      const { user: u2, app: other } = await anOwnedApp(s);
      const slug = await aSlug(s, app);
      const id = randomUUID();
      const r1 = await aRelease(s, app, user, { id, slugId: slug.id, config: { A: '1', 'B.C': 'x y' }, description: 'Deploy abc', status: 'pending' });
      assert.deepEqual(
        { id: r1.id, appId: r1.appId, version: r1.version, slugId: r1.slugId, config: r1.config, description: r1.description, status: r1.status, userId: r1.userId },
        { id, appId: app.id, version: 1, slugId: slug.id, config: { A: '1', 'B.C': 'x y' }, description: 'Deploy abc', status: 'pending', userId: user.id },
      );
      const r2 = await aRelease(s, app, user);
      const o1 = await aRelease(s, other, u2);
      const r3 = await aRelease(s, app, user);
      assert.deepEqual([r2.version, o1.version, r3.version], [2, 1, 3]);
      assert.equal(await s.releases.count(app.id), 3);
      assert.equal(await s.releases.count(other.id), 1);
      assert.deepEqual(await s.releases.get(app.id, id), r1);
      assert.deepEqual(await s.releases.get(app.id, 2), r2);
      assert.deepEqual(await s.releases.get(app.id, '3'), r3);
      assert.equal(await s.releases.get(app.id, 4), undefined);
      assert.equal(await s.releases.get(app.id, randomUUID()), undefined);
    });

    it('lists by version with keyset paging in both orders', async () => {
      const s = ctx.store;
      const { user, app } = await anOwnedApp(s);
      for (let i = 0; i < 5; i++) await aRelease(s, app, user);
      const versions = async (page?: Parameters<Repos['releases']['list']>[1]) => (await s.releases.list(app.id, page)).map((r) => r.version);
      assert.deepEqual(await versions(), [1, 2, 3, 4, 5]);
      assert.deepEqual(await versions({ limit: 2 }), [1, 2]);
      assert.deepEqual(await versions({ after: 2, limit: 2 }), [3, 4]);
      assert.deepEqual(await versions({ after: '4' }), [5]);
      assert.deepEqual(await versions({ after: 5 }), []);
      assert.deepEqual(await versions({ order: 'desc' }), [5, 4, 3, 2, 1]);
      assert.deepEqual(await versions({ order: 'desc', after: 4, limit: 2 }), [3, 2]);
      assert.deepEqual(await versions({ limit: 0 }), []);
    });

    it('knows the current release (newest succeeded) and sets status', async () => {
      const s = ctx.store;
      const { user, app } = await anOwnedApp(s);
      assert.equal(await s.releases.current(app.id), undefined);
      const r1 = await aRelease(s, app, user);
      const r2 = await aRelease(s, app, user, { status: 'pending' });
      assert.equal((await s.releases.current(app.id))?.id, r1.id);
      await s.releases.setStatus(r2.id, 'succeeded');
      const now = await s.releases.current(app.id);
      assert.equal(now?.id, r2.id);
      assert.equal(now?.status, 'succeeded');
      assert.ok(now!.updatedAt > r2.updatedAt);
      await aRelease(s, app, user, { status: 'failed' });
      assert.equal((await s.releases.current(app.id))?.id, r2.id);
    });
  });

  describe('slugs', () => {
    it('creates, gets, lists, updates and deletes (releases keep their row)', async () => {
      const s = ctx.store;
      const { user, app } = await anOwnedApp(s);
      const { app: other } = await anOwnedApp(s);
      const s1 = await aSlug(s, app, { checksum: null, size: null, commit: null, commitDescription: null, buildpackProvidedDescription: null, blobPath: null });
      assert.deepEqual([s1.checksum, s1.size, s1.commit, s1.blobPath], [null, null, null, null]);
      const s2 = await aSlug(s, app, { size: 3_000_000_000, processTypes: { web: 'npm start', worker: 'node w.js' } });
      assert.equal(s2.size, 3_000_000_000);
      assert.deepEqual(s2.processTypes, { web: 'npm start', worker: 'node w.js' });
      assert.equal(s2.commit, 'deadbeef');
      assert.equal(s2.buildpackProvidedDescription, 'Node.js');
      assert.deepEqual(await s.slugs.get(app.id, s2.id), s2);
      assert.equal(await s.slugs.get(other.id, s2.id), undefined);
      assert.deepEqual(await s.slugs.list(app.id), [s1, s2]);

      const up = await s.slugs.update(s1.id, { checksum: 'SHA256:f00', size: 99, blobPath: 'slugs/x.tgz', processTypes: { web: 'x' } });
      assert.deepEqual([up.checksum, up.size, up.blobPath, up.processTypes], ['SHA256:f00', 99, 'slugs/x.tgz', { web: 'x' }]);
      assert.ok(up.updatedAt > s1.updatedAt);
      await assert.rejects(s.slugs.update(randomUUID(), { size: 1 }), NotFoundError);

      const r = await aRelease(s, app, user, { slugId: s2.id });
      await s.slugs.delete(s2.id);
      assert.equal(await s.slugs.get(app.id, s2.id), undefined);
      assert.equal((await s.releases.get(app.id, r.id))?.slugId, null);
    });
  });

  describe('builds', () => {
    it('creates, gets, lists with paging and updates', async () => {
      const s = ctx.store;
      const { user, app } = await anOwnedApp(s);
      const { app: other } = await anOwnedApp(s);
      const b1 = await aBuild(s, app, user, 'v1');
      const b2 = await aBuild(s, app, user, 'v2');
      const b3 = await aBuild(s, app, user, 'v3');
      assert.deepEqual(b1.buildpacks, ['heroku/nodejs', 'https://example.com/bp.tgz']);
      assert.deepEqual([b1.status, b1.sourceVersion, b1.sourceChecksum, b1.slugId], ['pending', 'v1', null, null]);
      assert.deepEqual(await s.builds.get(app.id, b2.id), b2);
      assert.equal(await s.builds.get(other.id, b2.id), undefined);
      assert.deepEqual((await s.builds.list(app.id)).map((b) => b.id), [b1.id, b2.id, b3.id]);
      assert.deepEqual((await s.builds.list(app.id, { order: 'desc', limit: 2 })).map((b) => b.id), [b3.id, b2.id]);
      assert.deepEqual((await s.builds.list(app.id, { after: b1.createdAt.toISOString() })).map((b) => b.id), [b2.id, b3.id]);
      assert.deepEqual((await s.builds.list(app.id, { after: b3.createdAt.toISOString(), order: 'desc' })).map((b) => b.id), [b2.id, b1.id]);

      const slug = await aSlug(s, app);
      const rel = await aRelease(s, app, user, { slugId: slug.id });
      const done = await s.builds.update(b1.id, { status: 'succeeded', slugId: slug.id, releaseId: rel.id });
      assert.deepEqual([done.status, done.slugId, done.releaseId, done.sourceVersion], ['succeeded', slug.id, rel.id, 'v1']);
      assert.ok(done.updatedAt > b1.updatedAt);
      await assert.rejects(s.builds.update(randomUUID(), { status: 'failed' }), NotFoundError);
    });
  });

  describe('buildpacks', () => {
    it('replaces the ordered list (ordinals from 0) and lists it', async () => {
      const s = ctx.store;
      const { app } = await anOwnedApp(s);
      assert.deepEqual(await s.buildpacks.list(app.id), []);
      const set = await s.buildpacks.replace(app.id, ['heroku/python', 'heroku/nodejs']);
      assert.deepEqual(set, [
        { appId: app.id, ordinal: 0, url: 'heroku/python' },
        { appId: app.id, ordinal: 1, url: 'heroku/nodejs' },
      ]);
      assert.deepEqual(await s.buildpacks.list(app.id), set);
      assert.deepEqual((await s.buildpacks.replace(app.id, ['heroku/go'])).map((b) => b.url), ['heroku/go']);
      assert.deepEqual(await s.buildpacks.replace(app.id, []), []);
    });
  });
}
