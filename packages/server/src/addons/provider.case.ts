/**
 * The provider contract suite (like the store's and the runtime drivers'): every add-on provider
 * runs these cases through `runProviderContract(name, makeSubject)`. A subject gives the provider
 * and a real client check (`canConnect`), a view of what exists on its backend (`leftovers`) and
 * the steps of its `provision` that the suite makes fail one by one (the `StepHook` the subject
 * wired into the provider).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { AddonHandle, PlanSpec, Provider, Provisioned } from './provider.js';

export interface ProviderSubject {
  provider: Provider;
  /** Connects with a real client using the published config; true when the server answered and accepted the credentials. */
  canConnect(config: Record<string, string>): Promise<boolean>;
  /** Writes a marker through these credentials and reads it back (data survives re-adoption). */
  roundTrip?(config: Record<string, string>, value: string): Promise<string | undefined>;
  /** Names of what exists on the backend for add-ons (databases, roles, servers, data dirs). */
  leftovers(): Promise<string[]>;
  /** The named steps of `provision`; `failAt(step)` makes the next provision throw there. */
  steps: readonly string[];
  failAt(step: string | undefined): void;
  close(): Promise<void>;
}

export interface ProviderContractOptions {
  skip?: string;
  /** The plans to provision (default: the service's default plan). */
  plans?: readonly string[];
}

const app = { id: randomUUID(), name: 'contract-app' };

export function runProviderContract(name: string, make: () => Promise<ProviderSubject>, opts: ProviderContractOptions = {}): void {
  describe(`provider contract: ${name}`, { skip: opts.skip ?? false }, () => {
    let subject: ProviderSubject | undefined;
    const made: AddonHandle[] = [];
    const s = () => {
      if (!subject) throw new Error('no subject');
      return subject;
    };
    const plansOf = (p: Provider): PlanSpec[] => {
      const all = p.service.plans;
      if (opts.plans) return opts.plans.map((n) => all.find((x) => x.name === n) ?? assert.fail(`no plan ${n}`));
      return [all.find((x) => x.default) ?? all[0]];
    };
    let seq = 0;
    async function provision(plan?: PlanSpec): Promise<{ handle: AddonHandle; result: Provisioned }> {
      const p = s().provider;
      const chosen = plan ?? plansOf(p)[0];
      const id = randomUUID();
      const addonName = `${p.service.addonNamePrefix}-contract-${process.pid}-${++seq}`;
      const result = await p.provision({ id, name: addonName, plan: chosen, app, options: {} });
      const handle = { id, name: addonName, plan: chosen, state: result.state };
      made.push(handle);
      return { handle, result };
    }

    beforeEach(async () => {
      subject = await make();
      await subject.provider.start([]);
    });
    afterEach(async () => {
      for (const h of made.splice(0)) await s().provider.deprovision(h).catch(() => undefined);
      await s().provider.stop('all');
      await s().close();
      subject = undefined;
    });

    it('provisions each plan with every config suffix, connectable, with info rows', async () => {
      for (const plan of plansOf(s().provider)) {
        const { handle, result } = await provision(plan);
        assert.deepEqual(Object.keys(result.config).sort(), [...s().provider.service.configSuffixes].sort());
        for (const v of Object.values(result.config)) assert.equal(typeof v, 'string');
        assert.equal(await s().canConnect(result.config), true, `plan ${plan.name} connects`);
        const info = await s().provider.info(handle);
        assert.ok(info.some((r) => r.name === 'Plan' && r.values.length > 0), 'a Plan row');
      }
    });

    it('gives two add-ons different random credentials; one cannot be reached with the other\'s', async () => {
      const a = await provision();
      const b = await provision();
      assert.notDeepEqual(a.result.config, b.result.config);
      assert.equal(await s().canConnect(a.result.config), true);
      assert.equal(await s().canConnect(b.result.config), true);
      if (s().roundTrip) {
        assert.equal(await s().roundTrip!(a.result.config, 'a-marker'), 'a-marker');
        assert.equal(await s().roundTrip!(b.result.config, 'b-marker'), 'b-marker');
      }
    });

    it('rotates credentials: the new ones work, the old ones no longer do', async () => {
      const { handle, result } = await provision();
      const rotated = await s().provider.rotateCredentials(handle);
      assert.notDeepEqual(rotated.config, result.config);
      assert.equal(await s().canConnect(rotated.config), true);
      assert.equal(await s().canConnect(result.config), false);
    });

    it('binds and unbinds idempotently', async () => {
      const { handle } = await provision();
      const other = { id: randomUUID(), name: 'contract-other' };
      await s().provider.bind(handle, other);
      await s().provider.bind(handle, other);
      await s().provider.unbind(handle, other);
      await s().provider.unbind(handle, other);
    });

    it('deprovisions everything, idempotently', async () => {
      const before = await s().leftovers();
      const { handle, result } = await provision();
      assert.ok((await s().leftovers()).length > before.length, 'provision made something');
      await s().provider.deprovision(handle);
      assert.equal(await s().canConnect(result.config), false);
      assert.deepEqual(await s().leftovers(), before);
      await s().provider.deprovision(handle);
    });

    it('a provision failing at any step leaves nothing behind', async () => {
      const before = await s().leftovers();
      assert.ok(s().steps.length > 0, 'the provider names its steps');
      for (const step of s().steps) {
        s().failAt(step);
        await assert.rejects(provision(), `fails at ${step}`);
        s().failAt(undefined);
        assert.deepEqual(await s().leftovers(), before, `nothing left after a failure at ${step}`);
      }
    });

    it('prunes what belongs to no live add-on, and only that', async () => {
      const before = await s().leftovers();
      const kept = await provision();
      const orphan = await provision();
      const removed = await s().provider.prune([kept.handle]);
      assert.ok(removed.includes(orphan.handle.name), `pruned ${orphan.handle.name}: ${removed.join(', ')}`);
      assert.ok(!removed.includes(kept.handle.name));
      assert.equal(await s().canConnect(kept.result.config), true);
      assert.equal(await s().canConnect(orphan.result.config), false);
      await s().provider.deprovision(kept.handle);
      assert.deepEqual(await s().leftovers(), before);
    });

    it('keeps serving and keeps data across stop(control-plane) and start (re-adoption)', async () => {
      const { handle, result } = await provision();
      if (s().roundTrip) assert.equal(await s().roundTrip!(result.config, 'kept'), 'kept');
      await s().provider.stop('control-plane');
      await s().provider.start([handle]);
      assert.equal(await s().canConnect(result.config), true);
    });
  });
}
