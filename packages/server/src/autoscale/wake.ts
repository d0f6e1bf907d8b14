/**
 * Wake on request: the router asks (POST /internal/router/wake) when an app scaled to zero gets a
 * request; the waker writes web=1 (or the monitor's min, if higher) as a scale by the autoscaler.
 * Idempotent: an app that is not idle, or is being woken already, is left as it is.
 */
import type { Logger } from '../log/index.js';
import type { AppRecord, Store } from '../store/types.js';
import { scalesToZero } from './monitors.js';

export interface WakerDeps {
  store: Store;
  scale(app: AppRecord, type: string, quantity: number, by: string): Promise<void>;
  logger: Logger;
}

export interface Waker {
  /** Resolves `true` when this call started the app's web dyno. */
  wake(appId: string): Promise<boolean>;
}

export function createWaker(deps: WakerDeps): Waker {
  const waking = new Map<string, Promise<boolean>>();

  async function wakeOnce(appId: string): Promise<boolean> {
    const [app, web, monitors] = await Promise.all([deps.store.apps.get(appId), deps.store.formation.get(appId, 'web'), deps.store.monitors.list(appId, 'web')]);
    if (!app || web?.quantity !== 0 || !scalesToZero(monitors)) return false;
    deps.logger.info('autoscale.wake', { app: app.name });
    await deps.scale(app, 'web', 1, 'autoscaler (request while scaled to zero)');
    return true;
  }

  return {
    wake(appId) {
      let p = waking.get(appId);
      if (!p) {
        p = wakeOnce(appId).finally(() => waking.delete(appId));
        waking.set(appId, p);
      }
      return p;
    },
  };
}
