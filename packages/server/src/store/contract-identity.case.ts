/** Contract cases: users, tokens, collaborators. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { aUser, anApp, type ContractContext } from './contract-fixtures.case.js';
import { DuplicateError } from './errors.js';

export function identityCases(ctx: ContractContext): void {
  describe('users', () => {
    it('creates, gets, finds by email (case-insensitively) and lists', async () => {
      const s = ctx.store;
      const id = randomUUID();
      const admin = await s.users.create({ id, email: 'Admin@Example.com', admin: true });
      assert.equal(admin.id, id);
      assert.equal(admin.email, 'Admin@Example.com');
      assert.equal(admin.admin, true);
      assert.ok(admin.createdAt instanceof Date && admin.updatedAt instanceof Date);
      const bob = await s.users.create({ email: 'bob@example.com', admin: false });
      assert.match(bob.id, /^[0-9a-f-]{36}$/);
      assert.equal(bob.admin, false);
      assert.deepEqual(await s.users.get(id), admin);
      assert.deepEqual(await s.users.findByEmail('admin@example.COM'), admin);
      assert.equal(await s.users.findByEmail('nobody@example.com'), undefined);
      assert.equal(await s.users.get(randomUUID()), undefined);
      assert.deepEqual(await s.users.list(), [admin, bob]);
    });

    it('refuses a second user with the same email, whatever its case', async () => {
      await ctx.store.users.create({ email: 'dup@example.com', admin: false });
      await assert.rejects(ctx.store.users.create({ email: 'DUP@example.com', admin: false }), (err: unknown) => {
        assert.ok(err instanceof DuplicateError);
        assert.equal(err.code, 'conflict');
        assert.equal(err.table, 'users');
        assert.deepEqual(err.columns, ['email']);
        return true;
      });
    });
  });

  describe('tokens', () => {
    it('creates, finds by hash, lists per user, touches and deletes', async () => {
      const s = ctx.store;
      const u = await aUser(s);
      const other = await aUser(s);
      const t1 = await s.tokens.create({ userId: u.id, tokenHash: 'a'.repeat(64), description: 'admin token' });
      const t2 = await s.tokens.create({ userId: u.id, tokenHash: 'b'.repeat(64), description: 'cli' });
      await s.tokens.create({ userId: other.id, tokenHash: 'c'.repeat(64), description: 'other' });
      assert.equal(t1.lastUsedAt, null);
      assert.equal(t1.userId, u.id);
      assert.deepEqual(await s.tokens.findByHash('a'.repeat(64)), t1);
      assert.equal(await s.tokens.findByHash('f'.repeat(64)), undefined);
      assert.deepEqual(await s.tokens.listForUser(u.id), [t1, t2]);

      const at = new Date('2030-01-02T03:04:05.678Z');
      await s.tokens.touch(t1.id, at);
      assert.deepEqual((await s.tokens.findByHash('a'.repeat(64)))?.lastUsedAt, at);

      await s.tokens.delete(t1.id);
      assert.equal(await s.tokens.findByHash('a'.repeat(64)), undefined);
      assert.deepEqual((await s.tokens.listForUser(u.id)).map((t) => t.id), [t2.id]);
    });

    it('refuses a duplicate token hash', async () => {
      const u = await aUser(ctx.store);
      await ctx.store.tokens.create({ userId: u.id, tokenHash: 'd'.repeat(64), description: 'x' });
      await assert.rejects(ctx.store.tokens.create({ userId: u.id, tokenHash: 'd'.repeat(64), description: 'y' }), DuplicateError);
    });
  });

  describe('passwords', () => {
    it('are unset, then set, replaced and kept per user', async () => {
      const s = ctx.store;
      const u = await aUser(s);
      const other = await aUser(s);
      assert.equal(await s.passwords.get(u.id), undefined);
      await s.passwords.set(u.id, 'scrypt$first');
      await s.passwords.set(other.id, 'scrypt$other');
      assert.equal(await s.passwords.get(u.id), 'scrypt$first');
      await s.passwords.set(u.id, 'scrypt$second');
      assert.equal(await s.passwords.get(u.id), 'scrypt$second');
      assert.equal(await s.passwords.get(other.id), 'scrypt$other');
    });
  });

  describe('collaborators', () => {
    it('adds, finds, lists and removes; apps.listForUser follows', async () => {
      const s = ctx.store;
      const owner = await aUser(s);
      const friend = await aUser(s);
      const stranger = await aUser(s);
      const zeta = await anApp(s, owner, { name: 'zeta-app' });
      const alpha = await anApp(s, owner, { name: 'alpha-app' });
      const own = await anApp(s, friend, { name: 'mid-app' });

      assert.deepEqual((await s.apps.listForUser(friend.id)).map((a) => a.name), ['mid-app']);
      const c = await s.collaborators.add(zeta.id, friend.id);
      assert.equal(c.appId, zeta.id);
      assert.equal(c.userId, friend.id);
      await assert.rejects(s.collaborators.add(zeta.id, friend.id), DuplicateError);
      const c2 = await s.collaborators.add(zeta.id, stranger.id);
      assert.deepEqual(await s.collaborators.list(zeta.id), [c, c2]);
      assert.deepEqual(await s.collaborators.find(zeta.id, friend.id), c);
      assert.equal(await s.collaborators.find(alpha.id, friend.id), undefined);

      assert.deepEqual((await s.apps.listForUser(friend.id)).map((a) => a.id), [own.id, zeta.id]);
      assert.deepEqual((await s.apps.listForUser(owner.id)).map((a) => a.name), ['alpha-app', 'zeta-app']);

      await s.collaborators.remove(zeta.id, friend.id);
      assert.equal(await s.collaborators.find(zeta.id, friend.id), undefined);
      assert.deepEqual((await s.apps.listForUser(friend.id)).map((a) => a.name), ['mid-app']);
      assert.deepEqual((await s.collaborators.list(zeta.id)).map((x) => x.userId), [stranger.id]);
    });
  });
}
