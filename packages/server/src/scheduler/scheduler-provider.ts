/**
 * The `scheduler` add-on (Heroku Scheduler): service `scheduler`, plan `standard`. It runs no
 * server and publishes no config var; having it is what lets an app have jobs (the jobs API refuses
 * apps without it), and destroying it removes the app's jobs. One per app, as on Heroku.
 */
import { InvalidParamsError } from '../errors.js';
import type { AddonHandle, InfoRow, Provider, ServiceSpec } from '../addons/index.js';
import type { AppRecord, Store } from '../store/types.js';

export const SCHEDULER_SERVICE: ServiceSpec = {
  name: 'scheduler',
  humanName: 'Heroku Scheduler',
  id: '5f8c2d0e-9a7b-4c1d-8e3f-2b6a4d9c1e07',
  addonNamePrefix: 'scheduler',
  defaultAttachmentName: 'SCHEDULER',
  alternateAttachmentPrefix: 'SCHEDULER',
  configSuffixes: [],
  plans: [{ name: 'standard', humanName: 'Standard', default: true, priceCents: 0, limits: { dedicated: false } }],
};

const appIdOf = (addon: AddonHandle): string => String(addon.state.appId ?? '');

export function createSchedulerProvider({ store }: { store: Pick<Store, 'addons' | 'schedulerJobs' | 'apps'> }): Provider & { enabledFor(app: AppRecord): Promise<boolean> } {
  const schedulerOf = async (appId: string, except?: string) =>
    (await store.addons.listByApp(appId)).find((a) => a.service === SCHEDULER_SERVICE.name && a.id !== except && a.state !== 'deprovisioned');
  return {
    service: SCHEDULER_SERVICE,
    async start() {},
    async stop() {},
    async provision(req) {
      const existing = await schedulerOf(req.app.id, req.id);
      if (existing) throw new InvalidParamsError(`${req.app.name} already has the scheduler add-on (${existing.name}); an app has one.`, 'plan');
      return { state: { appId: req.app.id }, config: {}, message: 'Add jobs with: slipway scheduler:add COMMAND --every 10m -a ' + req.app.name };
    },
    async bind() {},
    async unbind() {},
    async deprovision(addon) {
      const appId = appIdOf(addon);
      if (appId !== '') await store.schedulerJobs.deleteAll(appId);
    },
    async info(addon): Promise<InfoRow[]> {
      const jobs = await store.schedulerJobs.list(appIdOf(addon));
      return [{ name: 'Plan', values: [addon.plan.humanName] }, { name: 'Jobs', values: [String(jobs.length)] }];
    },
    async rotateCredentials() {
      throw new InvalidParamsError('The scheduler add-on has no credentials.', 'addon');
    },
    async prune(live) {
      // Jobs are rows of their app (deleted with it); an app whose scheduler add-on is gone keeps none.
      const keep = new Set(live.map(appIdOf));
      const removed: string[] = [];
      for (const app of await store.apps.list()) {
        if (keep.has(app.id) || (await store.schedulerJobs.list(app.id)).length === 0) continue;
        await store.schedulerJobs.deleteAll(app.id);
        removed.push(`jobs of ${app.name}`);
      }
      return removed;
    },
    enabledFor: async (app) => (await schedulerOf(app.id)) !== undefined,
  };
}
