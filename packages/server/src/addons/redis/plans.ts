/**
 * `heroku-redis` (Heroku Key-Value Store): the service and its plans with Heroku's limits
 * (maxmemory and client connections per plan; list prices in cents a month, for the CLI's columns).
 * Every plan gets a `redis-server` of its own (Heroku's Key-Value Store has no shared plans).
 */
import type { PlanSpec, ServiceSpec } from '../provider.js';

const plan = (name: string, humanName: string, priceCents: number, memoryMb: number, connections: number, isDefault = false): PlanSpec => ({
  name, humanName, priceCents, ...(isDefault ? { default: true } : {}), limits: { dedicated: true, memoryMb, connections },
});

export const REDIS_SERVICE: ServiceSpec = {
  name: 'heroku-redis',
  humanName: 'Heroku Key-Value Store',
  id: 'e2b7f8a4-4c2b-4bd4-8d1e-5b0f3c9a7d21',
  addonNamePrefix: 'redis',
  defaultAttachmentName: 'REDIS',
  alternateAttachmentPrefix: 'HEROKU_REDIS',
  /** `REDIS_URL` (plain, private network) and `REDIS_TLS_URL` (`rediss://`, as Heroku's hobby plans had). */
  configSuffixes: ['URL', 'TLS_URL'],
  plans: [
    plan('mini', 'Mini', 300, 25, 20, true),
    plan('premium-0', 'Premium 0', 1500, 50, 40),
    plan('premium-1', 'Premium 1', 3000, 100, 80),
    plan('premium-2', 'Premium 2', 6000, 250, 200),
    plan('premium-3', 'Premium 3', 12000, 500, 400),
    plan('premium-5', 'Premium 5', 20000, 1024, 1000),
  ],
};
