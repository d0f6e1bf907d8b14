/**
 * Waiting for a web dyno to bind its port: TCP connects until one succeeds (the dyno is `up`) or
 * the boot timeout passes (R10). Cancellable, so a dyno that exits or is stopped while booting does
 * not leave a poller behind.
 */
import net from 'node:net';

export interface BootWatch {
  /** Resolves `up` once the port accepts a connection, `timeout` after timeoutMs, `cancelled` on cancel(). */
  result: Promise<'up' | 'timeout' | 'cancelled'>;
  cancel(): void;
}

/**
 * `intervalMs` between attempts (a refused connect is immediate, so 20 ms costs little and a dyno
 * is `up` at most that long after it listens); each attempt gives up after `attemptMs` (a SYN
 * that gets no answer at all is retried rather than waited on for the kernel's retransmits).
 */
export function watchBoot(host: string, port: number, timeoutMs: number, intervalMs = 20, attemptMs = 250): BootWatch {
  let cancelled = false;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const sleep = (ms: number) => new Promise<void>((r) => {
    wake = r;
    timer = setTimeout(r, ms);
  });
  const result = (async () => {
    const deadline = Date.now() + timeoutMs;
    while (!cancelled) {
      if (await canConnect(host, port, Math.min(attemptMs, Math.max(50, deadline - Date.now())))) return 'up' as const;
      if (cancelled) break;
      if (Date.now() >= deadline) return 'timeout' as const;
      await sleep(Math.min(intervalMs, Math.max(1, deadline - Date.now())));
    }
    return 'cancelled' as const;
  })();
  return {
    result,
    cancel() {
      cancelled = true;
      if (timer) clearTimeout(timer);
      wake?.();
    },
  };
}

export function canConnect(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
