/** An app's state for the apps list, from its formation and dynos. Pure. */
import type { App, Dyno, Formation } from '@slipway/contract';

export type AppState = 'maintenance' | 'crashed' | 'idle' | 'starting' | 'running';

export function appState(app: Pick<App, 'maintenance'>, formation: Pick<Formation, 'quantity'>[], dynos: Pick<Dyno, 'state'>[]): AppState {
  if (app.maintenance) return 'maintenance';
  if (dynos.some((d) => d.state === 'crashed')) return 'crashed';
  if (formation.every((f) => f.quantity === 0) && dynos.every((d) => d.state !== 'up')) return 'idle';
  if (dynos.some((d) => d.state === 'starting')) return 'starting';
  return 'running';
}
