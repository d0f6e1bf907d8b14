/**
 * The store's clock: wall time, but strictly increasing per store (at least 1 ms apart), so rows
 * created one after the other sort by creation time even within the same millisecond.
 */
export type Clock = () => Date;

export function createMonotonicClock(now: () => Date = () => new Date()): Clock {
  let last = 0;
  return () => {
    const t = Math.max(now().getTime(), last + 1);
    last = t;
    return new Date(t);
  };
}
