/** Dyno size helpers shared by the manager and the dyno routes. */
import { DYNO_SIZES, findDynoSize } from '@slipway/contract';

/** `Eco, Basic, Standard-1X…` for 422 messages. */
export function sizeList(): string {
  return DYNO_SIZES.map((s) => s.display).join(', ');
}

/** `standard-1x` → `Standard-1X`, as `heroku ps` shows sizes; unknown names pass through. */
export function displaySize(size: string): string {
  return findDynoSize(size)?.display ?? size;
}
