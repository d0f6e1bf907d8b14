/**
 * The logplex: one channel per app, one shared write path for all of them.
 *
 * publish() is O(1) and never blocks: the line is split, checked against the app's token bucket
 * and queued on its channel. A dispatcher (setImmediate) drains the queues round-robin, a quantum
 * of lines per app per round, so a noisy app cannot delay another app's line by more than one
 * round. Each line then gets its sequence number and timestamp, enters the in-memory ring (the
 * history), the batched durable writer, the live subscribers (tails) and the drains.
 */
import path from 'node:path';
import type { Config } from '../config.js';
import type { EventBus } from '../events/index.js';
import type { Logger } from '../log/index.js';
import { createDrainManager, type DrainManager, type DrainOptions, type DrainStore } from './drains.js';
import { formatLine, matchesFilter, parseMicros, rfc5424Micros, rfc5424Seconds, splitMessage } from './format.js';
import { createHistoryWriter, type StoredEntry } from './history-file.js';
import { newBucket, take, takeDropReport, type Bucket } from './rate-limit.js';
import { Ring } from './ring.js';
import { createLogSessions, type LogSessions, type SessionOptions } from './sessions.js';
import type { LogEntry, LogFilter, LogListener, LogSource, Logplex } from './types.js';

export interface LogplexOptions extends SessionOptions, Omit<DrainOptions, 'maxDrains' | 'bufferLines'> {
  /** Durable writes are batched this often (a crash loses at most this much). */
  flushIntervalMs: number;
  /** Lines one app may dispatch per round-robin round. */
  quantum: number;
  /** Lines dispatched per event-loop turn before yielding to I/O. */
  turnLines: number;
}

export const DEFAULT_LOGPLEX_OPTIONS: LogplexOptions = {
  flushIntervalMs: 100,
  quantum: 256,
  turnLines: 4096,
  heartbeatMs: 30_000,
  sessionTtlMs: 5 * 60_000,
  tailBufferBytes: 1024 * 1024,
  batchLines: 100,
  backoffMinMs: 500,
  backoffMaxMs: 30_000,
};

export interface LogplexDeps {
  config: Config;
  store: DrainStore;
  logger: Logger;
  /** Defaults to config.dataDir; history lives under `<dataDir>/logs/`. */
  dataDir?: string;
  /** Subscribed for `app.destroyed` (drops the channel) and `app.changed` (drain host names). */
  events?: EventBus;
  /** Milliseconds since the epoch, fractions allowed (µs timestamps). */
  clock?: () => number;
  options?: Partial<LogplexOptions>;
}

export interface LogplexService extends Logplex {
  readonly drains: DrainManager;
  readonly sessions: LogSessions;
}

interface Pending { micros: number; source: LogSource; dyno: string; message: string }
interface Subscriber { filter: LogFilter; listener: LogListener }
interface Channel {
  ring: Ring<LogEntry>;
  seq: number;
  queue: Pending[];
  head: number;
  ready: boolean;
  subs: Set<Subscriber>;
  bucket: Bucket;
}

/**
 * A wall clock with sub-millisecond resolution that never goes backwards and never runs ahead of
 * real time (the rate limiter's token bucket reads it; stepping it per call would mint tokens).
 */
function defaultClock(): () => number {
  let last = 0;
  const origin = Date.now() - performance.now();
  return () => {
    last = Math.max(last, origin + performance.now());
    return last;
  };
}

export function createLogplex(deps: LogplexDeps): LogplexService {
  const { config, logger } = deps;
  const opts: LogplexOptions = { ...DEFAULT_LOGPLEX_OPTIONS, ...deps.options };
  const clock = deps.clock ?? defaultClock();
  let lastMicros = 0;
  const capacity = config.logHistoryLines;
  const rate = config.logRateLimit;
  const burst = config.logRateLimit;
  const channels = new Map<string, Channel>();
  const readyApps: string[] = [];
  let readyHead = 0;
  let scheduled: NodeJS.Immediate | undefined;
  let reportTimer: NodeJS.Timeout | undefined;
  const unsubscribeEvents: (() => void)[] = [];
  /** Destroyed apps: late lines (a dyno stopping) must not re-open their channel. */
  const destroyed = new Set<string>();

  const writer = createHistoryWriter({
    dir: path.join(deps.dataDir ?? config.dataDir, 'logs'),
    capacity,
    intervalMs: opts.flushIntervalMs,
    logger,
    snapshot: (appId) => channels.get(appId)?.ring.toArray() ?? [],
  });

  function channel(appId: string): Channel {
    let ch = channels.get(appId);
    if (!ch) {
      ch = { ring: new Ring(capacity), seq: 0, queue: [], head: 0, ready: false, subs: new Set(), bucket: newBucket(burst, clock()) };
      channels.set(appId, ch);
    }
    return ch;
  }

  function enqueue(appId: string, ch: Channel, p: Pending): void {
    ch.queue.push(p);
    if (!ch.ready) {
      ch.ready = true;
      readyApps.push(appId);
    }
    scheduled ??= setImmediate(dispatch);
  }

  function reportDrops(appId: string, ch: Channel, now: number): void {
    const report = takeDropReport(ch.bucket, rate, burst, now);
    if (!report) return;
    enqueue(appId, ch, {
      micros: Math.round(now * 1000), source: 'heroku', dyno: 'logplex',
      message: `Error L12 (local buffer overflow): ${report.dropped} messages dropped since ${rfc5424Seconds(new Date(report.since))}.`,
    });
  }

  function admit(entry: LogEntry, ch: Channel, appId: string): void {
    ch.ring.push(entry);
    writer.enqueue(appId, entry);
    for (const sub of ch.subs) {
      if (!matchesFilter(entry, sub.filter)) continue;
      try {
        sub.listener(entry);
      } catch (err) {
        logger.error('logplex.listener_failed', { error: String(err) });
      }
    }
    drains.deliver(appId, entry);
  }

  function dispatch(): void {
    scheduled = undefined;
    let budget = opts.turnLines;
    while (budget > 0 && readyHead < readyApps.length) {
      const appId = readyApps[readyHead++];
      const ch = channels.get(appId);
      if (!ch) continue;
      const n = Math.min(opts.quantum, budget, ch.queue.length - ch.head);
      for (let i = 0; i < n; i++) {
        const p = ch.queue[ch.head++];
        const timestamp = rfc5424Micros(p.micros);
        admit({ seq: ++ch.seq, time: new Date(Math.floor(p.micros / 1000)), timestamp, source: p.source, dyno: p.dyno, message: p.message, text: formatLine(timestamp, p) }, ch, appId);
      }
      budget -= n;
      if (ch.head < ch.queue.length) {
        readyApps.push(appId);
      } else {
        ch.queue = [];
        ch.head = 0;
        ch.ready = false;
      }
    }
    if (readyHead > 1024 && readyHead * 2 > readyApps.length) {
      readyApps.splice(0, readyHead);
      readyHead = 0;
    }
    if (readyHead < readyApps.length) scheduled = setImmediate(dispatch);
    else {
      readyApps.length = 0;
      readyHead = 0;
    }
  }

  const logplex: LogplexService = {
    publish(appId, line) {
      if (destroyed.has(appId)) return;
      const ch = channel(appId);
      const now = clock();
      const base = line.time ? line.time.getTime() * 1000 : Math.round(now * 1000);
      if (ch.bucket.dropped > 0) reportDrops(appId, ch, now);
      for (const message of splitMessage(line.message)) {
        if (!take(ch.bucket, rate, burst, now)) continue;
        if (ch.queue.length - ch.head >= burst) {
          // The dispatcher is behind: never queue more than one burst per app.
          ch.bucket.droppedSince ??= now;
          ch.bucket.dropped++;
          continue;
        }
        // Lines stamped by the platform get strictly increasing µs timestamps (admitted lines only).
        const micros = line.time ? base : (lastMicros = Math.max(lastMicros + 1, base));
        enqueue(appId, ch, { micros, source: line.source, dyno: line.dyno, message });
      }
    },
    history(appId, o = {}) {
      const ch = channels.get(appId);
      if (!ch) return [];
      const want = Math.max(0, Math.min(o.lines ?? 100, capacity));
      const out: LogEntry[] = [];
      const all = ch.ring.toArray();
      for (let i = all.length - 1; i >= 0 && out.length < want; i--) {
        const e = all[i];
        if (o.afterSeq !== undefined && e.seq <= o.afterSeq) break;
        if (matchesFilter(e, o)) out.push(e);
      }
      return out.reverse();
    },
    subscribe(appId, filter, listener) {
      const sub: Subscriber = { filter, listener };
      const ch = channel(appId);
      ch.subs.add(sub);
      return () => {
        ch.subs.delete(sub);
      };
    },
    async dropChannel(appId) {
      destroyed.add(appId);
      const ch = channels.get(appId);
      channels.delete(appId);
      if (ch) ch.subs.clear();
      sessions.dropApp(appId);
      await drains.dropApp(appId);
      await writer.remove(appId);
      logger.info('logplex.channel_dropped', { app_id: appId });
    },
    async start() {
      for (const [appId, entries] of await writer.load()) {
        const ch = channel(appId);
        ch.ring = new Ring(capacity);
        for (const e of entries) ch.ring.push(revive(e));
        ch.seq = ch.ring.last()?.seq ?? 0;
      }
      writer.start();
      reportTimer = setInterval(() => {
        const now = clock();
        for (const [appId, ch] of channels) if (ch.bucket.dropped > 0) reportDrops(appId, ch, now);
      }, 1000);
      reportTimer.unref();
      if (deps.events) {
        unsubscribeEvents.push(deps.events.on('app.destroyed', ({ appId }) => {
          logplex.dropChannel(appId).catch((err) => logger.error('logplex.drop_failed', { app_id: appId, error: String(err) }));
        }));
        unsubscribeEvents.push(deps.events.on('app.changed', ({ appId }) => {
          drains.appChanged(appId).catch((err) => logger.warn('logplex.app_lookup_failed', { app_id: appId, error: String(err) }));
        }));
      }
      await drains.start();
      sessions.start();
      logger.info('logplex.started', { channels: channels.size });
    },
    async stop() {
      for (const off of unsubscribeEvents.splice(0)) off();
      if (reportTimer) clearInterval(reportTimer);
      reportTimer = undefined;
      if (scheduled) clearImmediate(scheduled);
      scheduled = undefined;
      if (readyHead < readyApps.length) dispatch();
      while (scheduled) {
        clearImmediate(scheduled);
        dispatch();
      }
      sessions.stop();
      await drains.stop();
      await writer.stop();
    },
    get drains() {
      return drains;
    },
    get sessions() {
      return sessions;
    },
  };

  const drains = createDrainManager({
    store: deps.store,
    sink: logplex,
    logger,
    options: { maxDrains: config.maxDrains, bufferLines: config.drainBufferLines, batchLines: opts.batchLines, backoffMinMs: opts.backoffMinMs, backoffMaxMs: opts.backoffMaxMs, tls: opts.tls },
  });
  const sessions = createLogSessions({ logplex, logger, options: opts });
  return logplex;
}

function revive(e: StoredEntry): LogEntry {
  const micros = parseMicros(e.timestamp);
  return { ...e, time: new Date(Math.floor(micros / 1000)), text: formatLine(e.timestamp, e) };
}
