/**
 * One drain's delivery loop, whatever the transport (syslog TCP/TLS, HTTPS): a bounded buffer of
 * lines, batches handed to the transport one at a time, reconnect with exponential backoff.
 *
 * Never blocks the channel: `push` is O(1). When the buffer is full the line is dropped and counted;
 * after the next successful delivery the count is reported once through `onOverflow` (the logplex
 * turns it into `Error L10 (output buffer overflow): N messages dropped since …`). A batch that
 * failed is kept and retried after the backoff (at-least-once), except when the transport says the
 * receiver refused it for good (HTTP 4xx).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log/index.js';
import type { LogEntry } from './types.js';

export interface Batch {
  /** Octet-counted frames, concatenated. */
  body: Buffer;
  count: number;
  /** Stable across retries of the same batch (HTTPS `Logplex-Frame-Id`). */
  id: string;
}

export interface DrainTransport {
  /** Opens the connection (no-op for HTTP). Rejects when the receiver cannot be reached. */
  connect(): Promise<void>;
  /** Resolves 'sent' or 'rejected' (receiver refused it for good); rejects on a transient failure. */
  send(batch: Batch): Promise<'sent' | 'rejected'>;
  /** Is the connection still usable? */
  readonly connected: boolean;
  close(): void;
}

export interface DrainWorkerOptions {
  capacity: number;
  batchLines: number;
  backoffMinMs: number;
  backoffMaxMs: number;
}

export interface DrainWorkerStats {
  buffered: number;
  delivered: number;
  dropped: number;
  droppedTotal: number;
  failures: number;
}

export interface DrainWorker {
  push(entry: LogEntry): void;
  start(): void;
  stop(): Promise<void>;
  stats(): DrainWorkerStats;
}

export function createDrainWorker(deps: {
  transport: DrainTransport;
  frame(entry: LogEntry): Buffer;
  onOverflow(dropped: number, since: Date): void;
  logger: Logger;
  options: DrainWorkerOptions;
  now?: () => number;
}): DrainWorker {
  const { transport, options, logger } = deps;
  const now = deps.now ?? Date.now;
  let buf: LogEntry[] = [];
  let head = 0;
  let retry: Batch | undefined;
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let sleeper: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let attempts = 0;
  const stats = { delivered: 0, dropped: 0, droppedTotal: 0, failures: 0 };
  let droppedSince = 0;

  const buffered = () => buf.length - head;
  /** Wakes the idle loop when data arrives. */
  const kick = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  /** Ends a backoff sleep early (only stop does). */
  const interrupt = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const s = sleeper;
    sleeper = undefined;
    s?.();
  };
  const idle = () => new Promise<void>((resolve) => {
    wake = resolve;
  });
  const sleep = (ms: number) => new Promise<void>((resolve) => {
    sleeper = resolve;
    timer = setTimeout(interrupt, ms);
  });

  function nextBatch(): Batch {
    const n = Math.min(options.batchLines, buffered());
    const frames = buf.slice(head, head + n).map(deps.frame);
    head += n;
    if (head > 1024 && head * 2 > buf.length) {
      buf = buf.slice(head);
      head = 0;
    }
    return { body: Buffer.concat(frames), count: n, id: randomBytes(16).toString('hex') };
  }

  async function backoff(err: unknown): Promise<void> {
    stats.failures++;
    const ms = Math.min(options.backoffMaxMs, options.backoffMinMs * 2 ** attempts);
    attempts++;
    logger.warn('logplex.drain_failed', { error: String((err as Error)?.message ?? err), retry_ms: ms });
    transport.close();
    if (running) await sleep(ms);
  }

  async function run(): Promise<void> {
    while (running) {
      if (!retry && buffered() === 0) {
        await idle();
        continue;
      }
      try {
        if (!transport.connected) await transport.connect();
      } catch (err) {
        await backoff(err);
        continue;
      }
      const batch = retry ?? nextBatch();
      retry = undefined;
      try {
        const result = await transport.send(batch);
        attempts = 0;
        if (result === 'sent') stats.delivered += batch.count;
        else logger.warn('logplex.drain_rejected', { lines: batch.count });
      } catch (err) {
        retry = batch;
        await backoff(err);
        continue;
      }
      if (stats.dropped > 0) {
        const dropped = stats.dropped;
        stats.dropped = 0;
        deps.onOverflow(dropped, new Date(droppedSince));
      }
    }
  }

  return {
    push(entry) {
      if (buffered() >= options.capacity) {
        if (stats.dropped === 0) droppedSince = now();
        stats.dropped++;
        stats.droppedTotal++;
        return;
      }
      buf.push(entry);
      if (running) kick();
    },
    start() {
      if (running) return;
      running = true;
      loop = run().catch((err) => logger.error('logplex.drain_loop_failed', { error: String(err) }));
    },
    async stop() {
      running = false;
      kick();
      interrupt();
      transport.close();
      await loop;
    },
    stats: () => ({ buffered: buffered() + (retry?.count ?? 0), ...stats }),
  };
}
