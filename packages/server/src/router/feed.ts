/**
 * The route feed (runs in the API process): builds the routing table from the store — apps,
 * hostnames, maintenance, `SLIPWAY_DYNO_CONCURRENCY`, web dynos in every state — and rebuilds it
 * when platform events say something changed (debounced), plus a slow safety poll. Subscribers
 * (the internal SSE endpoint) get every table that differs from the last one.
 */
import type { EventBus, EventName } from '../events/index.js';
import type { Logger } from '../log/index.js';
import { scalesToZero } from '../autoscale/index.js';
import type { Repos } from '../store/types.js';
import { parseConcurrency } from './balance.js';
import type { RouterApp, RoutingTable } from './types.js';

export const CONCURRENCY_VAR = 'SLIPWAY_DYNO_CONCURRENCY';

export interface RouteFeedDeps {
  store: Pick<Repos, 'apps' | 'domains' | 'dynos' | 'configVars' | 'monitors'>;
  events: EventBus;
  logger: Logger;
  /** Platform domain: every app is served at `<name>.<domain>` (config.domain). */
  domain?: string;
  debounceMs?: number;
  pollMs?: number;
}

export interface RouteFeed {
  /** The latest table (empty until `start()` resolved). */
  snapshot(): RoutingTable;
  /** Called with every new table; returns an unsubscribe function. */
  subscribe(listener: (table: RoutingTable) => void): () => void;
  /** Rebuilds now; resolves with the table that includes every change made before the call. */
  refresh(): Promise<RoutingTable>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const TRIGGERS: EventName[] = ['dyno.changed', 'domain.changed', 'app.changed', 'app.created', 'app.destroyed', 'formation.changed', 'config.changed', 'autoscale.changed'];

export function createRouteFeed(deps: RouteFeedDeps): RouteFeed {
  const { store, logger } = deps;
  // 0: the next turn of the event loop. Events of one tick still make one rebuild, and refresh()
  // runs one rebuild at a time (plus one more for what came in meanwhile); a dyno that just came
  // up is not kept out of the router's table any longer than that.
  const debounceMs = deps.debounceMs ?? 0;
  const pollMs = deps.pollMs ?? 10_000;
  const listeners = new Set<(t: RoutingTable) => void>();
  let table: RoutingTable = { version: 0, apps: [] };
  let lastJson = '';
  let debounce: NodeJS.Timeout | undefined;
  let poll: NodeJS.Timeout | undefined;
  let running: Promise<RoutingTable> | undefined;
  let again: Promise<RoutingTable> | undefined;
  let unsubscribe: (() => void)[] = [];
  let stopped = false;

  async function build(): Promise<RouterApp[]> {
    const apps = await store.apps.list();
    const out: RouterApp[] = [];
    for (const app of apps) {
      const [domains, dynos, vars, monitors] = await Promise.all([
        store.domains.list(app.id), store.dynos.list(app.id), store.configVars.get(app.id), store.monitors.list(app.id, 'web'),
      ]);
      const hostnames = new Set<string>();
      if (deps.domain) hostnames.add(`${app.name}.${deps.domain}`.toLowerCase());
      for (const d of domains) hostnames.add(d.hostname.toLowerCase());
      out.push({
        appId: app.id,
        name: app.name,
        hostnames: [...hostnames],
        maintenance: app.maintenance,
        concurrency: parseConcurrency(vars[CONCURRENCY_VAR]),
        dynos: dynos
          .filter((d) => d.type === 'web')
          .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))
          .map((d) => ({ name: d.name, state: d.state, host: d.host, port: d.port })),
        ...(scalesToZero(monitors) ? { wakeable: true } : {}),
      });
    }
    return out;
  }

  async function rebuild(): Promise<RoutingTable> {
    const apps = await build();
    const json = JSON.stringify(apps);
    if (json !== lastJson) {
      lastJson = json;
      table = { version: table.version + 1, apps };
      for (const l of listeners) {
        try {
          l(table);
        } catch (err) {
          logger.error('router_feed.listener_failed', { error: String(err) });
        }
      }
    }
    return table;
  }

  /** One rebuild at a time; a request made during a rebuild gets one more rebuild after it. */
  function refresh(): Promise<RoutingTable> {
    if (!running) {
      running = rebuild().finally(() => (running = undefined));
      return running;
    }
    again ??= running.catch(() => undefined).then(() => {
      again = undefined;
      return refresh();
    });
    return again;
  }

  const schedule = () => {
    if (stopped) return;
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      refresh().catch((err) => logger.error('router_feed.rebuild_failed', { error: String(err) }));
    }, debounceMs);
  };

  const tick = () => {
    poll = setTimeout(() => {
      refresh()
        .catch((err) => logger.error('router_feed.rebuild_failed', { error: String(err) }))
        .finally(() => {
          if (!stopped) tick();
        });
    }, pollMs);
  };

  return {
    snapshot: () => table,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refresh,
    async start() {
      stopped = false;
      unsubscribe = TRIGGERS.map((name) => deps.events.on(name, schedule));
      await refresh();
      tick();
    },
    async stop() {
      stopped = true;
      for (const u of unsubscribe) u();
      unsubscribe = [];
      clearTimeout(debounce);
      clearTimeout(poll);
      listeners.clear();
      await running?.catch(() => undefined);
    },
  };
}
