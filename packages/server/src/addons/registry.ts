/**
 * The providers by service name. `main.ts` registers the concrete ones; the add-on service and the
 * API only ever ask the registry (a service nobody registered is unknown, Heroku's 422).
 */
import { InvalidParamsError } from '../errors.js';
import type { PlanSpec, Provider, ServiceSpec } from './provider.js';

export interface ProviderRegistry {
  register(provider: Provider): void;
  get(service: string): Provider | undefined;
  services(): ServiceSpec[];
  providers(): Provider[];
  /** `heroku-postgresql:essential-0`, `heroku-postgresql` (default plan), or a plan of a known service. */
  resolvePlan(spec: string): { provider: Provider; plan: PlanSpec };
}

export function createProviderRegistry(initial: readonly Provider[] = []): ProviderRegistry {
  const byName = new Map<string, Provider>();
  const registry: ProviderRegistry = {
    register(provider) {
      if (byName.has(provider.service.name)) throw new Error(`add-on service ${provider.service.name} registered twice`);
      byName.set(provider.service.name, provider);
    },
    get: (service) => byName.get(service),
    services: () => [...byName.values()].map((p) => p.service),
    providers: () => [...byName.values()],
    resolvePlan(spec) {
      const [serviceName, planName] = spec.includes(':') ? spec.split(':', 2) : [spec, undefined];
      const provider = byName.get(serviceName);
      if (!provider) throw new InvalidParamsError(`Couldn't find either the add-on service or the add-on plan of "${spec}".`, 'plan');
      const plans = provider.service.plans;
      const plan = planName === undefined ? (plans.find((p) => p.default) ?? plans[0]) : plans.find((p) => p.name === planName);
      if (!plan) {
        throw new InvalidParamsError(`Couldn't find the plan "${planName}" of ${serviceName}. Plans: ${plans.map((p) => p.name).join(', ')}.`, 'plan');
      }
      return { provider, plan };
    },
  };
  for (const p of initial) registry.register(p);
  return registry;
}
