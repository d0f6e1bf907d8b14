/**
 * What the dyno routes (`dynos.ts`) and the formation-scoped dyno actions (`formations.ts`) need.
 * In a file of its own so that neither route file imports the other's types back.
 */
import type { AppService } from '../../apps/index.js';
import type { DynoManager, Rendezvous } from '../../dynos/index.js';
import type { Store } from '../../store/types.js';

export interface DynoRouteDeps {
  apps: Pick<AppService, 'resolve'>;
  manager: Pick<DynoManager, 'runOneOff' | 'restart' | 'stopDyno'>;
  store: Store;
  /** The rendezvous listener of attached one-off dynos; without it `attach: true` is a 422. */
  rendezvous?: Pick<Rendezvous, 'open'>;
  /** Why there is no rendezvous listener (said in the 422). */
  rendezvousUnavailable?: string;
}
