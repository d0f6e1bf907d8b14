import type { Row } from '../db.js';
import type { MetricEventRecord, MetricPointRecord, MetricsRepo } from '../types.js';
import type { RepoDeps } from './deps.js';
import { fromJson, toInt, toJson, toStr } from './rows.js';

const toPoint = (r: Row): MetricPointRecord => ({
  appId: toStr(r.app_id), kind: toStr(r.kind), processType: toStr(r.process_type),
  stepS: toInt(r.step_s), startMs: toInt(r.start_ms), data: Buffer.from(r.data as Uint8Array),
});

const toEvent = (r: Row): MetricEventRecord => ({
  appId: toStr(r.app_id), atMs: toInt(r.at_ms), type: toStr(r.type), message: toStr(r.message),
  data: fromJson<Record<string, unknown>>(r.data, {}),
});

/** Metrics intervals and events (docs/metrics.md); the metrics room owns what `data` means. */
export function createMetricsRepo({ db }: RepoDeps): MetricsRepo {
  return {
    async getMany(keys) {
      const out: MetricPointRecord[] = [];
      for (const k of keys) {
        const row = await db.one(
          'SELECT * FROM metric_points WHERE app_id = $1 AND kind = $2 AND step_s = $3 AND process_type = $4 AND start_ms = $5',
          [k.appId, k.kind, k.stepS, k.processType, k.startMs],
        );
        if (row) out.push(toPoint(row));
      }
      return out;
    },
    async putMany(points) {
      for (const p of points) {
        await db.run(
          `INSERT INTO metric_points (app_id, kind, step_s, process_type, start_ms, data) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (app_id, kind, step_s, process_type, start_ms) DO UPDATE SET data = excluded.data`,
          [p.appId, p.kind, p.stepS, p.processType, p.startMs, p.data],
        );
      }
    },
    async range(q) {
      const params: unknown[] = [q.appId, q.kind, q.stepS, q.fromMs, q.toMs];
      let sql = 'SELECT * FROM metric_points WHERE app_id = $1 AND kind = $2 AND step_s = $3 AND start_ms >= $4 AND start_ms < $5';
      if (q.processType !== undefined) {
        params.push(q.processType);
        sql += ` AND process_type = $${params.length}`;
      }
      return (await db.query(`${sql} ORDER BY start_ms, process_type`, params)).map(toPoint);
    },
    async processTypes(appId, kind, stepS, fromMs) {
      const rows = await db.query(
        'SELECT DISTINCT process_type FROM metric_points WHERE app_id = $1 AND kind = $2 AND step_s = $3 AND start_ms >= $4 ORDER BY process_type',
        [appId, kind, stepS, fromMs],
      );
      return rows.map((r) => toStr(r.process_type));
    },
    prune: (stepS, beforeMs) => db.run('DELETE FROM metric_points WHERE step_s = $1 AND start_ms < $2', [stepS, beforeMs]),
    async recordEvent(e) {
      await db.run('INSERT INTO metric_events (app_id, at_ms, type, message, data) VALUES ($1, $2, $3, $4, $5)', [e.appId, e.atMs, e.type, e.message, toJson(e.data)]);
    },
    async events(appId, fromMs, toMs, limit = 1000) {
      const rows = await db.query(
        'SELECT * FROM metric_events WHERE app_id = $1 AND at_ms >= $2 AND at_ms < $3 ORDER BY at_ms, seq LIMIT $4',
        [appId, fromMs, toMs, Math.max(0, Math.floor(limit))],
      );
      return rows.map(toEvent);
    },
    pruneEvents: (beforeMs) => db.run('DELETE FROM metric_events WHERE at_ms < $1', [beforeMs]),
  };
}
