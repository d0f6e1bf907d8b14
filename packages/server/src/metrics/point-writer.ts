/**
 * The write path into the store's tiers: each incoming interval is merged into the 10 s, 1 min and
 * 10 min point that contains it (read, merge, write; one transaction per app). Writes are
 * serialised in this process so two batches never merge into the same row at once.
 */
import type { Logger } from '../log/index.js';
import { MissingReferenceError, type MetricPointRecord, type Store } from '../store/index.js';
import { floorTo, TIERS } from './tiers.js';

export interface IncomingPoint<T> {
  appId: string;
  processType: string;
  startMs: number;
  data: T;
}

export interface PointCodec<T> {
  kind: string;
  merge(parts: readonly T[]): T;
  encode(data: T): Buffer;
  decode(bytes: Buffer): T;
}

export interface PointWriter {
  write<T>(codec: PointCodec<T>, points: readonly IncomingPoint<T>[]): Promise<void>;
  /** Resolves when every write queued so far is done. */
  idle(): Promise<void>;
}

export function createPointWriter(deps: { store: Store; logger: Logger }): PointWriter {
  let chain: Promise<void> = Promise.resolve();

  async function writeNow<T>(codec: PointCodec<T>, points: readonly IncomingPoint<T>[]): Promise<void> {
    const byApp = new Map<string, Map<string, { key: Omit<MetricPointRecord, 'data'>; parts: T[] }>>();
    for (const p of points) {
      let rows = byApp.get(p.appId);
      if (!rows) byApp.set(p.appId, (rows = new Map()));
      for (const tier of TIERS) {
        const startMs = floorTo(p.startMs, tier.stepS * 1000);
        const id = `${tier.stepS}\0${p.processType}\0${startMs}`;
        let row = rows.get(id);
        if (!row) rows.set(id, (row = { key: { appId: p.appId, kind: codec.kind, processType: p.processType, stepS: tier.stepS, startMs }, parts: [] }));
        row.parts.push(p.data);
      }
    }
    for (const [appId, rows] of byApp) {
      try {
        await deps.store.transaction(async (tx) => {
          const keys = [...rows.values()].map((r) => r.key);
          const existing = new Map((await tx.metrics.getMany(keys)).map((e) => [`${e.stepS}\0${e.processType}\0${e.startMs}`, e]));
          const out: MetricPointRecord[] = [];
          for (const [id, row] of rows) {
            const old = existing.get(id);
            const parts = old ? [codec.decode(old.data), ...row.parts] : row.parts;
            out.push({ ...row.key, data: codec.encode(codec.merge(parts)) });
          }
          await tx.metrics.putMany(out);
        });
      } catch (err) {
        if (err instanceof MissingReferenceError) continue; // the app was deleted meanwhile
        deps.logger.error('metrics.write_failed', { app_id: appId, kind: codec.kind, error: String(err) });
      }
    }
  }

  return {
    write(codec, points) {
      const next = chain.then(() => writeNow(codec, points));
      chain = next.catch(() => undefined);
      return next;
    },
    idle: () => chain,
  };
}
