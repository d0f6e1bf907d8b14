/**
 * `slipway-memory`: a complete provider whose "server" is a table in this process (like the fake
 * runtime driver). It passes the provider contract suite and lets the add-on service and API be
 * tested without starting servers. Not registered by `main.ts`.
 */
import { randomBytes } from 'node:crypto';
import type { AddonHandle, InfoRow, Provider, Provisioned, ServiceSpec, StepHook } from './provider.js';

export const MEMORY_SERVICE: ServiceSpec = {
  name: 'slipway-memory',
  humanName: 'Slipway Memory',
  id: '6f1c1f2e-5c1a-4c9e-9d7e-0a3c2b1d4e5f',
  addonNamePrefix: 'memory',
  defaultAttachmentName: 'MEMORY',
  alternateAttachmentPrefix: 'SLIPWAY_MEMORY',
  configSuffixes: ['URL'],
  plans: [
    { name: 'mini', humanName: 'Mini', default: true, priceCents: 0, limits: { dedicated: false, connections: 10 } },
    { name: 'large', humanName: 'Large', priceCents: 1000, limits: { dedicated: true, connections: 100, memoryMb: 256 } },
  ],
};

interface Space {
  password: string;
  apps: Set<string>;
  data: Map<string, string>;
}

export interface MemoryProvider extends Provider {
  /** The space a `memory://` URL opens, if its password is current (what a client would get). */
  connect(url: string): Map<string, string> | undefined;
  /** The spaces that exist (the contract suite's "nothing left behind"). */
  spaces(): string[];
  /** Apps bound to an add-on. */
  bound(addonName: string): string[];
}

export function createMemoryProvider(opts: { step?: StepHook } = {}): MemoryProvider {
  const spaces = new Map<string, Space>();
  const step = opts.step ?? (() => undefined);
  const config = (name: string, password: string) => ({ URL: `memory://${name}:${password}@memory/${name}` });
  return {
    service: MEMORY_SERVICE,
    async start() {},
    async stop() {},
    async provision(req): Promise<Provisioned> {
      step('space');
      const space: Space = { password: randomBytes(16).toString('hex'), apps: new Set(), data: new Map() };
      spaces.set(req.name, space);
      try {
        step('credentials');
      } catch (err) {
        spaces.delete(req.name);
        throw err;
      }
      return { state: { space: req.name }, config: config(req.name, space.password) };
    },
    async bind(addon, app) {
      spaces.get(addon.name)?.apps.add(app.id);
    },
    async unbind(addon, app) {
      spaces.get(addon.name)?.apps.delete(app.id);
    },
    async deprovision(addon) {
      spaces.delete(addon.name);
    },
    async info(addon: AddonHandle): Promise<InfoRow[]> {
      const space = spaces.get(addon.name);
      return [
        { name: 'Plan', values: [addon.plan.humanName] },
        { name: 'Status', values: [space ? 'Available' : 'Unavailable'] },
        { name: 'Keys', values: [String(space?.data.size ?? 0)] },
      ];
    },
    async rotateCredentials(addon) {
      const space = spaces.get(addon.name);
      if (!space) throw new Error(`memory space ${addon.name} is gone`);
      space.password = randomBytes(16).toString('hex');
      return { state: addon.state, config: config(addon.name, space.password) };
    },
    async prune(live) {
      const keep = new Set(live.map((a) => a.name));
      const gone = [...spaces.keys()].filter((n) => !keep.has(n));
      for (const n of gone) spaces.delete(n);
      return gone;
    },
    connect(url) {
      const u = new URL(url);
      const space = spaces.get(u.username);
      return space && space.password === u.password ? space.data : undefined;
    },
    spaces: () => [...spaces.keys()],
    bound: (name) => [...(spaces.get(name)?.apps ?? [])],
  };
}
