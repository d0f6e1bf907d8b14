/**
 * The store contract suite (hono's `common.case.test.ts` style): every Store implementation runs
 * the same cases. An implementation's test file calls `runStoreContract(name, makeStore)`.
 */
import { afterEach, beforeEach, describe } from 'node:test';
import { addonCases } from './contract-addons.case.js';
import { appCases } from './contract-apps.case.js';
import { environmentCases } from './contract-environments.case.js';
import { identityCases } from './contract-identity.case.js';
import { metricsCases } from './contract-metrics.case.js';
import { releaseCases } from './contract-releases.case.js';
import { repoConnectionCases } from './contract-repo-connections.case.js';
import { runtimeCases } from './contract-runtime.case.js';
import { schedulerCases } from './contract-scheduler.case.js';
import { transactionCases } from './contract-transactions.case.js';
import type { ContractContext, StoreSubject } from './contract-fixtures.case.js';

export type { StoreSubject } from './contract-fixtures.case.js';

/**
 * `makeStore` opens a fresh, empty store for each case. `opts.skip` skips the whole suite with
 * that reason (e.g. no PostgreSQL configured).
 */
export function runStoreContract(name: string, makeStore: () => Promise<StoreSubject>, opts: { skip?: string } = {}): void {
  describe(`store contract: ${name}`, { skip: opts.skip ?? false }, () => {
    let subject: StoreSubject | undefined;
    const opened: { close(): Promise<void> }[] = [];
    const ctx: ContractContext = {
      get store() {
        if (!subject) throw new Error('no store open');
        return subject.store;
      },
      get subject() {
        if (!subject) throw new Error('no store open');
        return subject;
      },
      own(store) {
        opened.push(store);
        return store;
      },
    };
    beforeEach(async () => {
      subject = await makeStore();
      opened.push(subject.store);
    });
    afterEach(async () => {
      for (const s of opened.splice(0).reverse()) await s.close();
      subject = undefined;
    });

    identityCases(ctx);
    appCases(ctx);
    releaseCases(ctx);
    runtimeCases(ctx);
    transactionCases(ctx);
    metricsCases(ctx);
    environmentCases(ctx);
    repoConnectionCases(ctx);
    addonCases(ctx);
    schedulerCases(ctx);
  });
}
