/**
 * `heroku-postgresql`: Heroku's plan names, list prices (for the CLI's price column) and limits.
 * Shared plans (`essential-*`, `mini`, `basic`) get a database and a role on the shared server with
 * the plan's connection limit; `standard-*` get a server of their own with the plan's
 * max_connections and shared_buffers (a quarter of the plan's memory, as Heroku tunes it).
 */
import type { PlanSpec, ServiceSpec } from './provider.js';

const shared = (name: string, humanName: string, priceCents: number, connections: number, storageMb: number, isDefault = false): PlanSpec => ({
  name, humanName, priceCents, default: isDefault, limits: { dedicated: false, connections, storageMb },
});
const dedicated = (name: string, humanName: string, priceCents: number, connections: number, memoryMb: number): PlanSpec => ({
  name, humanName, priceCents, limits: { dedicated: true, connections, memoryMb },
});

export const POSTGRES_SERVICE: ServiceSpec = {
  name: 'heroku-postgresql',
  humanName: 'Heroku Postgres',
  id: '6c67493d-8fc2-4cd4-9161-4f1ec11cbe69',
  addonNamePrefix: 'postgresql',
  defaultAttachmentName: 'DATABASE',
  alternateAttachmentPrefix: 'HEROKU_POSTGRESQL',
  configSuffixes: ['URL'],
  plans: [
    shared('essential-0', 'Essential 0', 500, 20, 1024, true),
    shared('essential-1', 'Essential 1', 900, 20, 10 * 1024),
    shared('essential-2', 'Essential 2', 2000, 40, 32 * 1024),
    shared('mini', 'Mini', 500, 20, 1024),
    shared('basic', 'Basic', 900, 20, 10 * 1024),
    dedicated('standard-0', 'Standard 0', 5000, 120, 4 * 1024),
    dedicated('standard-2', 'Standard 2', 20000, 400, 8 * 1024),
  ],
};

/** The server's shared_buffers for a dedicated plan: a quarter of its memory. */
export const sharedBuffersMb = (plan: PlanSpec): number | undefined => (plan.limits.memoryMb ? Math.floor(plan.limits.memoryMb / 4) : undefined);
