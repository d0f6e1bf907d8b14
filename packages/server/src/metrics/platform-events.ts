/**
 * Events for the metrics' annotations (Heroku's Metrics tab overlays them): deploys, releases,
 * rollbacks, config changes, scale, restarts, crashes (and R14/R15, from the dyno samples). Read
 * from the platform's event bus and the store, kept in `metric_events` for the coarse tier's 7 days.
 */
import type { EventBus } from '../events/index.js';
import type { Logger } from '../log/index.js';
import type { Store } from '../store/index.js';
import type { Metrics } from './metrics.js';

export interface PlatformEventRecorder {
  /** Stops listening and waits for the events being recorded. */
  stop(): Promise<void>;
}

/** `Deploy 1a2b3c4` → deploy, `Rollback to v2` → rollback, `Set FOO config vars` → config; else release. */
export function releaseEventType(description: string): 'deploy' | 'rollback' | 'config' | 'release' {
  if (/^deploy\b/i.test(description)) return 'deploy';
  if (/^rollback\b/i.test(description)) return 'rollback';
  if (/config vars?$/i.test(description)) return 'config';
  return 'release';
}

export function recordPlatformEvents(deps: { events: EventBus; store: Store; metrics: Pick<Metrics, 'recordEvent'>; logger: Logger }): PlatformEventRecorder {
  const { store, metrics } = deps;
  const pending = new Set<Promise<void>>();
  const crashed = new Set<string>();
  /** Runs `work` with the time the event happened (its store reads finish in any order). */
  const own = (work: (atMs: number) => Promise<void>) => {
    const p = work(Date.now()).catch((err) => deps.logger.warn('metrics.event_failed', { error: String(err) })).finally(() => pending.delete(p));
    pending.add(p);
  };
  const offs = [
    deps.events.on('release.created', ({ appId, releaseId, version }) => own(async (atMs) => {
      const release = await store.releases.get(appId, releaseId);
      const description = release?.description ?? '';
      await metrics.recordEvent({ appId, atMs, type: releaseEventType(description), message: `Release v${version}: ${description}`, data: { version } });
    })),
    deps.events.on('formation.changed', ({ appId, types }) => own(async (atMs) => {
      const formation = (await store.formation.list(appId)).filter((f) => types.includes(f.type));
      const message = `Scaled to ${formation.map((f) => `${f.type}@${f.quantity}:${f.size}`).join(' ')}`;
      await metrics.recordEvent({ appId, atMs, type: 'scale', message, data: Object.fromEntries(formation.map((f) => [f.type, f.quantity])) });
    })),
    deps.events.on('dynos.restart', ({ appId, type, dynoName }) => own(async (atMs) => {
      const what = dynoName ?? (type ? `${type} dynos` : 'all dynos');
      await metrics.recordEvent({ appId, atMs, type: 'restart', message: `Restarted ${what}`, data: { dyno: dynoName ?? null, process_type: type ?? null } });
    })),
    deps.events.on('dyno.changed', ({ appId, dynoName }) => own(async (atMs) => {
      const key = `${appId}\0${dynoName}`;
      const dyno = await store.dynos.get(appId, dynoName);
      if (dyno?.state !== 'crashed') {
        crashed.delete(key);
        return;
      }
      if (crashed.has(key)) return;
      crashed.add(key);
      await metrics.recordEvent({ appId, atMs, type: 'crash', message: `${dynoName} crashed`, data: { dyno: dynoName, exit_code: dyno.exitCode ?? null } });
    })),
  ];
  return {
    async stop() {
      for (const off of offs) off();
      await Promise.all([...pending]);
    },
  };
}
