/**
 * Durable history: one append-only segment file per app under `<dataDir>/logs/`, one JSON object
 * per line. Writes are batched: entries wait in memory and are appended every `intervalMs`
 * (a crash loses at most that much). When a file holds more than twice the history size it is
 * compacted: rewritten from the in-memory ring (the newest N lines) to a temp file, then renamed
 * over the old one, so a crash mid-compaction leaves either the old or the new file, never half.
 * All file work runs on one promise chain, so appends, compactions and deletes never interleave.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log/index.js';
import type { LogEntry, LogSource } from './types.js';

export type StoredEntry = Pick<LogEntry, 'seq' | 'timestamp' | 'source' | 'dyno' | 'message'>;

interface Row { q: number; t: string; s: LogSource; d: string; m: string }

export function serialize(e: StoredEntry): string {
  const row: Row = { q: e.seq, t: e.timestamp, s: e.source, d: e.dyno, m: e.message };
  return JSON.stringify(row) + '\n';
}

/** Parses a segment file; skips a torn or corrupt line (a crash mid-append). */
export function parseSegment(text: string): StoredEntry[] {
  const out: StoredEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      const r = JSON.parse(line) as Row;
      if (typeof r.q !== 'number' || typeof r.t !== 'string' || (r.s !== 'app' && r.s !== 'heroku')) continue;
      out.push({ seq: r.q, timestamp: r.t, source: r.s, dyno: String(r.d), message: String(r.m) });
    } catch {
      // torn write: ignore the line
    }
  }
  return out;
}

/** App ids are UUIDs; anything else is hex-encoded so it can never escape the directory. */
function fileName(appId: string): string {
  return /^[A-Za-z0-9_-]{1,128}$/.test(appId) ? `${appId}.log` : `x-${Buffer.from(appId).toString('hex')}.log`;
}
function appIdOf(file: string): string | undefined {
  if (!file.endsWith('.log')) return undefined;
  const base = file.slice(0, -4);
  return base.startsWith('x-') ? Buffer.from(base.slice(2), 'hex').toString() : base;
}

export interface HistoryWriterDeps {
  dir: string;
  /** History size N: files are compacted past 2N lines. */
  capacity: number;
  intervalMs: number;
  logger: Logger;
  /** The channel's current newest N entries (used to compact). */
  snapshot(appId: string): StoredEntry[];
}

export interface HistoryWriter {
  /** Reads every app's segment: the newest `capacity` entries each. */
  load(): Promise<Map<string, StoredEntry[]>>;
  start(): void;
  enqueue(appId: string, entry: StoredEntry): void;
  /** Writes everything pending now. */
  flush(): Promise<void>;
  remove(appId: string): Promise<void>;
  stop(): Promise<void>;
}

export function createHistoryWriter(deps: HistoryWriterDeps): HistoryWriter {
  // Entries waiting for the next flush, serialised only then (most are trimmed away unwritten
  // when an app logs faster than the flush interval).
  const pending = new Map<string, StoredEntry[]>();
  const fileLines = new Map<string, number>();
  let chain: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  const serial = (work: () => Promise<void>): Promise<void> => {
    chain = chain.then(work).catch((err) => deps.logger.error('logplex.history_write_failed', { error: String(err) }));
    return chain;
  };

  async function writeApp(appId: string, rows: StoredEntry[]): Promise<void> {
    const file = path.join(deps.dir, fileName(appId));
    const lines = fileLines.get(appId) ?? 0;
    if (lines + rows.length > 2 * deps.capacity) {
      const snap = deps.snapshot(appId);
      const tmp = `${file}.${process.pid}.tmp`;
      await fs.writeFile(tmp, snap.map(serialize).join(''));
      await fs.rename(tmp, file);
      fileLines.set(appId, snap.length);
    } else {
      await fs.appendFile(file, rows.map(serialize).join(''));
      fileLines.set(appId, lines + rows.length);
    }
  }

  const flush = (): Promise<void> => serial(async () => {
    if (pending.size === 0) return;
    const batch = [...pending];
    pending.clear();
    await fs.mkdir(deps.dir, { recursive: true });
    for (const [appId, rows] of batch) await writeApp(appId, rows);
  });

  return {
    async load() {
      const out = new Map<string, StoredEntry[]>();
      await fs.mkdir(deps.dir, { recursive: true });
      for (const file of await fs.readdir(deps.dir)) {
        const appId = appIdOf(file);
        if (appId === undefined) {
          if (file.endsWith('.tmp')) await fs.rm(path.join(deps.dir, file), { force: true });
          continue;
        }
        const entries = parseSegment(await fs.readFile(path.join(deps.dir, file), 'utf8'));
        fileLines.set(appId, entries.length);
        out.set(appId, entries.slice(-deps.capacity));
      }
      return out;
    },
    start() {
      timer ??= setInterval(() => void flush(), deps.intervalMs);
      timer.unref();
    },
    enqueue(appId, entry) {
      let rows = pending.get(appId);
      if (!rows) pending.set(appId, (rows = []));
      rows.push(entry);
      // Never hold much more than a compaction's worth (the ring has the rest); trim in batches so
      // a flood costs O(1) per line, not a shift of the whole array per line.
      if (rows.length > 4 * deps.capacity) rows.splice(0, rows.length - 2 * deps.capacity);
    },
    flush,
    remove(appId) {
      pending.delete(appId);
      return serial(async () => {
        pending.delete(appId);
        fileLines.delete(appId);
        await fs.rm(path.join(deps.dir, fileName(appId)), { force: true });
      });
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await flush();
    },
  };
}
