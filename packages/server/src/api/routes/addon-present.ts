/**
 * Heroku's add-on, attachment, service and plan JSON (heroku-contract-2.md C3). `addon_service.name`,
 * `plan.name` and `billing_entity.name` are always there (the CLI reads them without asking for
 * expansion); attachments always include `addon.plan` (pg:* sends Accept-Inclusion for it).
 */
import { stableId } from '@slipway/contract';
import type { AddonService, PlanSpec, ServiceSpec } from '../../addons/index.js';
import type { AddonAttachmentRecord, AddonRecord, AppRecord, Store } from '../../store/types.js';

type AppLookup = (id: string) => Promise<AppRecord | undefined>;

export function appLookup(store: Store): AppLookup {
  const cache = new Map<string, Promise<AppRecord | undefined>>();
  return (id) => {
    let p = cache.get(id);
    if (!p) cache.set(id, (p = store.apps.get(id)));
    return p;
  };
}

const price = (plan: PlanSpec) => ({ cents: plan.priceCents, unit: 'month', contract: false, metered: false });
const appRef = (app: AppRecord | undefined, id: string) => ({ id, name: app?.name ?? id });

export function toService(s: ServiceSpec) {
  return {
    id: s.id, name: s.name, human_name: s.humanName, state: 'ga', cli_plugin_name: null, supports_multiple_installations: true,
    supports_sharing: true, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z',
  };
}

export function toPlan(s: ServiceSpec, p: PlanSpec) {
  return {
    id: stableId('addon-plan', `${s.name}:${p.name}`), name: `${s.name}:${p.name}`, human_name: p.humanName, default: p.default === true,
    description: `${s.humanName} ${p.humanName}`, price: price(p), state: 'public', compliance: null,
    addon_service: { id: s.id, name: s.name }, limits: p.limits,
    created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z',
  };
}

export function addonPresenter(deps: { addons: AddonService; store: Store; webUrl: (addon: AddonRecord) => string }) {
  const apps = appLookup(deps.store);

  async function addon(a: AddonRecord) {
    const provider = deps.addons.providerOf(a);
    const plan = deps.addons.planOf(provider, a);
    const owner = await apps(a.appId);
    const own = (await deps.store.addonAttachments.listByAddon(a.id)).filter((x) => x.appId === a.appId);
    return {
      id: a.id, name: a.name, app: appRef(owner, a.appId),
      addon_service: { id: provider.service.id, name: provider.service.name },
      plan: { id: stableId('addon-plan', `${provider.service.name}:${plan.name}`), name: `${provider.service.name}:${plan.name}`, price: price(plan) },
      billed_price: { cents: plan.priceCents, contract: false, unit: 'month' },
      billing_entity: { id: a.appId, name: owner?.name ?? a.appId, type: 'app' },
      state: a.state,
      config_vars: own.flatMap((x) => provider.service.configSuffixes.map((s) => `${x.name}_${s}`)),
      provision_message: a.provisionMessage, provider_id: a.id, actions: [],
      web_url: deps.webUrl(a), created_at: a.createdAt.toISOString(), updated_at: a.updatedAt.toISOString(),
    };
  }

  async function attachment(x: AddonAttachmentRecord, known?: AddonRecord) {
    const a = known ?? (await deps.store.addons.get(x.addonId));
    const app = await apps(x.appId);
    if (!a) throw new Error(`attachment ${x.id} has no add-on`);
    const provider = deps.addons.providerOf(a);
    const plan = deps.addons.planOf(provider, a);
    const owner = await apps(a.appId);
    return {
      id: x.id, name: x.name, namespace: x.namespace,
      config_vars: provider.service.configSuffixes.map((s) => `${x.name}_${s}`),
      addon: {
        id: a.id, name: a.name, app: appRef(owner, a.appId),
        plan: { id: stableId('addon-plan', `${provider.service.name}:${plan.name}`), name: `${provider.service.name}:${plan.name}` },
      },
      app: appRef(app, x.appId), web_url: deps.webUrl(a), log_input_url: null,
      created_at: x.createdAt.toISOString(), updated_at: x.updatedAt.toISOString(),
    };
  }

  return { addon, attachment };
}
