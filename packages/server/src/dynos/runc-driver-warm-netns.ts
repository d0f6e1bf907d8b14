/**
 * Warm network namespaces: a few made ahead of time (namespace, veth on the bridge, leased address,
 * route; no firewall rule), so a dyno start only opens the firewall to one instead of making it:
 * `ip netns add` and the two `ip` batches (kernel work on the RTNL lock, 70-130 ms of a start on the
 * busy test host) leave the start's path. A namespace is taken by exactly one dyno and removed with
 * it, never handed to another (no state carries over between tenants). When none is ready the
 * start makes its own as before; the pool refills in the background, one at a time.
 */
import type { Logger } from '../log/index.js';

export interface WarmNetns {
  /** The namespace's name, its veth's seed and the owner of its address lease. */
  id: string;
  ip: string;
}

export interface WarmNetnsPool {
  /** A ready namespace, now the caller's, or null when none is ready (the pool refills). */
  take(): WarmNetns | null;
  /** How many are ready. */
  ready(): number;
  /** Starts filling up to the pool's size (in the background). */
  fill(): void;
  /** Stops refilling and removes the ready ones (taken ones belong to their dynos). */
  close(): Promise<void>;
}

export interface WarmNetnsDeps {
  /** How many to keep ready; 0 turns the pool off. */
  size: number;
  make(): Promise<WarmNetns>;
  discard(n: WarmNetns): Promise<void>;
  logger: Logger;
  /** Wait after a failed make before the next try (default 5 s). */
  retryMs?: number;
}

export function createWarmNetnsPool(deps: WarmNetnsDeps): WarmNetnsPool {
  const ready: WarmNetns[] = [];
  let making: Promise<void> | null = null;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;

  const fill = () => {
    if (closed || making || retry || ready.length >= deps.size) return;
    making = (async () => {
      try {
        while (!closed && ready.length < deps.size) {
          const n = await deps.make();
          if (closed) await deps.discard(n);
          else ready.push(n);
        }
      } catch (err) {
        deps.logger.warn('runc.warm_netns_failed', { error: String(err), retry_ms: deps.retryMs ?? 5000 });
        retry = setTimeout(() => {
          retry = undefined;
          fill();
        }, deps.retryMs ?? 5000);
        retry.unref();
      } finally {
        making = null;
      }
    })();
  };

  return {
    take() {
      const n = ready.shift() ?? null;
      fill();
      return n;
    },
    ready: () => ready.length,
    fill,
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      await making;
      await Promise.allSettled(ready.splice(0).map((n) => deps.discard(n)));
    },
  };
}
