/** Dyno sizes as Heroku displays them (`Standard-1X`), from whatever spelling the API returns. */
import { findDynoSize } from '@slipway/contract';

export function displaySize(size: string | null | undefined): string {
  if (!size) return 'Standard-1X';
  return findDynoSize(size)?.display ?? size;
}
