/** Contract cases: transactions (commit, rollback, isolation, concurrent release numbering) and reopening. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aRelease, aUser, anApp, anOwnedApp, type ContractContext } from './contract-fixtures.case.js';
import type { Repos } from './types.js';

class Boom extends Error {}

export function transactionCases(ctx: ContractContext): void {
  describe('transactions', () => {
    it('commits every write together and returns the callback’s value', async () => {
      const s = ctx.store;
      const user = await aUser(s);
      const result = await s.transaction(async (tx) => {
        const app = await anApp(tx, user, { name: 'in-tx' });
        const config = await tx.configVars.patch(app.id, { A: '1' });
        const release = await aRelease(tx, app, user, { config, description: 'Set A config vars' });
        await tx.apps.update(app.id, { releasedAt: release.createdAt });
        return { app, release };
      });
      assert.equal(result.release.version, 1);
      const app = await s.apps.findByName('in-tx');
      assert.deepEqual(app?.releasedAt, result.release.createdAt);
      assert.deepEqual(await s.configVars.get(result.app.id), { A: '1' });
      assert.deepEqual((await s.releases.current(result.app.id))?.config, { A: '1' });
    });

    it('rolls back every write when the callback fails, and rethrows its error', async () => {
      const s = ctx.store;
      const { user, app } = await anOwnedApp(s, { name: 'steady' });
      await s.configVars.patch(app.id, { KEEP: 'yes' });
      const boom = new Boom('nope');
      await assert.rejects(
        s.transaction(async (tx) => {
          await tx.configVars.patch(app.id, { KEEP: null, NEW: 'x' });
          await aRelease(tx, app, user);
          await tx.apps.update(app.id, { name: 'renamed', maintenance: true });
          await anApp(tx, user, { name: 'ghost' });
          await tx.audit.record({ appId: app.id, userId: user.id, action: 'x', message: 'x', data: {} });
          throw boom;
        }),
        (err) => err === boom,
      );
      assert.deepEqual(await s.configVars.get(app.id), { KEEP: 'yes' });
      assert.equal(await s.releases.count(app.id), 0);
      assert.deepEqual(await s.apps.get(app.id), app);
      assert.equal(await s.apps.findByName('ghost'), undefined);
      assert.deepEqual(await s.audit.list(app.id), []);
      // Numbering continues as if the failed transaction never happened.
      assert.equal((await aRelease(s, app, user)).version, 1);
    });

    it('rolls back when a statement fails (a taken name) and leaves the store usable', async () => {
      const s = ctx.store;
      const { user } = await anOwnedApp(s, { name: 'first' });
      await assert.rejects(
        s.transaction(async (tx) => {
          await anApp(tx, user, { name: 'second' });
          await anApp(tx, user, { name: 'first' });
        }),
        { code: 'name_taken' },
      );
      assert.equal(await s.apps.findByName('second'), undefined);
      assert.equal((await anApp(s, user, { name: 'second' })).name, 'second');
    });

    it('keeps uncommitted writes from calls on the store itself (they wait or do not see them)', async () => {
      const s = ctx.store;
      const user = await aUser(s);
      let outside: Promise<unknown> | undefined;
      await assert.rejects(
        s.transaction(async (tx) => {
          await anApp(tx, user, { name: 'uncommitted' });
          outside = s.apps.findByName('uncommitted');
          // Give the outside call every chance to run while the transaction is open.
          for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
          throw new Boom('roll back');
        }),
        Boom,
      );
      assert.equal(await outside, undefined);
    });

    it('refuses a transaction’s repos after it ended', async () => {
      let leaked: Repos | undefined;
      await ctx.store.transaction(async (tx) => {
        leaked = tx;
      });
      await assert.rejects(leaked!.apps.list(), /transaction/);
    });

    it('numbers releases without duplicates or gaps and loses no config change under 20 concurrent transactions', async () => {
      const s = ctx.store;
      const { user, app } = await anOwnedApp(s);
      const n = 20;
      const made = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          s.transaction(async (tx) => {
            const config = await tx.configVars.patch(app.id, { [`KEY_${i}`]: String(i) });
            const release = await aRelease(tx, app, user, { config, description: `Set KEY_${i} config vars` });
            await tx.audit.record({ appId: app.id, userId: user.id, action: 'release.create', message: `Release v${release.version}`, data: {} });
            return release;
          }),
        ),
      );
      assert.deepEqual(made.map((r) => r.version).sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i + 1));
      const listed = await s.releases.list(app.id);
      assert.deepEqual(listed.map((r) => r.version), Array.from({ length: n }, (_, i) => i + 1));
      // Each release saw every earlier change: release vN carries exactly N keys.
      for (const r of listed) assert.equal(Object.keys(r.config).length, r.version, `v${r.version} config`);
      const expected = Object.fromEntries(Array.from({ length: n }, (_, i) => [`KEY_${i}`, String(i)]));
      assert.deepEqual(await s.configVars.get(app.id), expected);
      assert.deepEqual(listed[n - 1].config, expected);
      assert.equal((await s.audit.list(app.id)).length, n);
    });

    it('snapshots the latest config into releases while patches and deploys race', async () => {
      const s = ctx.store;
      const { user, app } = await anOwnedApp(s);
      const patches = Array.from({ length: 8 }, (_, i) =>
        s.transaction(async (tx) => aRelease(tx, app, user, { config: await tx.configVars.patch(app.id, { [`P_${i}`]: 'x' }) })),
      );
      // A deploy reads the config (no write) and releases it with a new slug.
      const deploys = Array.from({ length: 8 }, () =>
        s.transaction(async (tx) => aRelease(tx, app, user, { config: await tx.configVars.get(app.id), description: 'Deploy' })),
      );
      await Promise.all([...patches, ...deploys]);
      const listed = await s.releases.list(app.id);
      assert.equal(listed.length, 16);
      // Releases only ever add keys: none was created from a config older than its predecessor's.
      for (let i = 1; i < listed.length; i++) {
        const before = Object.keys(listed[i - 1].config);
        assert.ok(before.every((k) => k in listed[i].config), `v${listed[i].version} lost a key of v${listed[i - 1].version}`);
      }
      assert.deepEqual(listed[15].config, await s.configVars.get(app.id));
    });

    it('numbers concurrent releases created outside any transaction without duplicates', async () => {
      const s = ctx.store;
      const { user, app } = await anOwnedApp(s);
      const made = await Promise.all(Array.from({ length: 10 }, () => aRelease(s, app, user)));
      assert.deepEqual(made.map((r) => r.version).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    });
  });

  describe('lifecycle', () => {
    it('keeps all state across close and reopen', async (t) => {
      const { reopen } = ctx.subject;
      if (!reopen) return t.skip('this implementation has no durable storage to reopen');
      const s = ctx.store;
      const { user, app } = await anOwnedApp(s, { name: 'durable' });
      await s.configVars.patch(app.id, { DATABASE_URL: 'postgres://x' });
      await aRelease(s, app, user, { config: { DATABASE_URL: 'postgres://x' } });
      await s.formation.upsert(app.id, { type: 'web', quantity: 2 });
      await s.close();

      const again = ctx.own(await reopen());
      const found = await again.apps.findByName('durable');
      assert.deepEqual(found, app);
      assert.deepEqual(await again.configVars.get(app.id), { DATABASE_URL: 'postgres://x' });
      assert.equal((await again.formation.get(app.id, 'web'))?.quantity, 2);
      assert.deepEqual(await again.users.get(user.id), user);
      assert.equal((await aRelease(again, app, user)).version, 2);
    });

    it('rejects calls after close', async () => {
      const s = ctx.store;
      await s.close();
      await assert.rejects(s.apps.list(), /closed|ended/i);
      await s.close(); // closing twice is harmless
    });
  });
}
