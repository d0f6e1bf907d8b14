/**
 * Gathers the requests made while a batch waits for (or holds) a lock into the next call of
 * `apply`: ten dyno starts at once write their firewall rules in two or three `iptables-restore`
 * runs instead of queueing ten, one after the other, behind the network's lock.
 */

/** Runs `fn` when nothing else under the same lock runs (network.ts createNetworkLock). */
export type Lock = <T>(fn: () => Promise<T>) => Promise<T>;

/**
 * `apply` gets every item gathered, in request order, and says how each went: null, or the Error
 * its request is rejected with (a throw rejects the whole batch's requests).
 */
export function createBatcher<T>(apply: (items: T[]) => Promise<(Error | null)[]>, lock: Lock): (item: T) => Promise<void> {
  let pending: { item: T; resolve: () => void; reject: (err: Error) => void }[] = [];
  let queued = false;
  const flush = async (): Promise<void> => {
    // From here on, new requests go to the next batch (queued behind this one in the lock).
    queued = false;
    const batch = pending;
    pending = [];
    let results: (Error | null)[];
    try {
      results = await apply(batch.map((b) => b.item));
    } catch (err) {
      results = batch.map(() => (err instanceof Error ? err : new Error(String(err))));
    }
    batch.forEach((b, i) => {
      const err = results[i];
      if (err) b.reject(err);
      else b.resolve();
    });
  };
  return (item) => new Promise<void>((resolve, reject) => {
    pending.push({ item, resolve, reject });
    if (queued) return;
    queued = true;
    // flush never throws: every request is settled by it.
    void lock(flush);
  });
}
