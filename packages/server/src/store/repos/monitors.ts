import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../../errors.js';
import type { Row } from '../db.js';
import type { MonitorRecord, MonitorRepo } from '../types.js';
import type { RepoDeps } from './deps.js';
import { fromJson, toBool, toDate, toInt, toIntOrNull, toJson, toStr, toStrOrNull } from './rows.js';

const toMonitor = (r: Row): MonitorRecord => ({
  id: toStr(r.id),
  appId: toStr(r.app_id),
  processType: toStr(r.process_type),
  actionType: toStr(r.action_type),
  name: toStr(r.name),
  isActive: toBool(r.is_active),
  op: toStr(r.op),
  period: toInt(r.period),
  value: toInt(r.value),
  minQuantity: toInt(r.min_quantity),
  maxQuantity: toInt(r.max_quantity),
  notificationChannels: fromJson<string[]>(r.notification_channels, []),
  notificationPeriod: toInt(r.notification_period),
  queueTimeMs: toIntOrNull(r.queue_time_ms),
  metric: toStrOrNull(r.metric),
  idleMs: toIntOrNull(r.idle_ms),
  strategy: toStr(r.strategy),
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
});

/** Record field → column, for the fields `update` may change (the repository's own constants). */
const COLUMNS = {
  actionType: 'action_type', name: 'name', isActive: 'is_active', op: 'op', period: 'period', value: 'value',
  minQuantity: 'min_quantity', maxQuantity: 'max_quantity', notificationChannels: 'notification_channels',
  notificationPeriod: 'notification_period', queueTimeMs: 'queue_time_ms', metric: 'metric', idleMs: 'idle_ms', strategy: 'strategy',
} as const;

export function createMonitorRepo({ db, clock }: RepoDeps): MonitorRepo {
  return {
    async create(m) {
      const now = clock();
      const row = await db.one(
        `INSERT INTO monitors (id, app_id, process_type, action_type, name, is_active, op, period, value, min_quantity, max_quantity,
           notification_channels, notification_period, queue_time_ms, metric, idle_ms, strategy, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18) RETURNING *`,
        [m.id ?? randomUUID(), m.appId, m.processType, m.actionType, m.name, m.isActive, m.op, m.period, m.value, m.minQuantity, m.maxQuantity,
          toJson(m.notificationChannels), m.notificationPeriod, m.queueTimeMs, m.metric, m.idleMs, m.strategy, now],
      );
      return toMonitor(row!);
    },
    async list(appId, processType) {
      const rows = processType === undefined
        ? await db.query('SELECT * FROM monitors WHERE app_id = $1 ORDER BY created_at, id', [appId])
        : await db.query('SELECT * FROM monitors WHERE app_id = $1 AND process_type = $2 ORDER BY created_at, id', [appId, processType]);
      return rows.map(toMonitor);
    },
    async get(appId, id) {
      const row = await db.one('SELECT * FROM monitors WHERE app_id = $1 AND id = $2', [appId, id]);
      return row && toMonitor(row);
    },
    async update(id, patch) {
      const sets: string[] = [];
      const params: unknown[] = [];
      for (const [field, column] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, string][]) {
        if (patch[field] === undefined) continue;
        params.push(field === 'notificationChannels' ? toJson(patch[field]) : patch[field]);
        sets.push(`${column} = $${params.length}`);
      }
      params.push(clock());
      sets.push(`updated_at = $${params.length}`);
      params.push(id);
      const row = await db.one(`UPDATE monitors SET ${sets.join(', ')} WHERE id = $${params.length} RETURNING *`, params);
      if (!row) throw new NotFoundError('monitor');
      return toMonitor(row);
    },
    async delete(id) {
      await db.run('DELETE FROM monitors WHERE id = $1', [id]);
    },
    async listActiveScale() {
      return (await db.query("SELECT * FROM monitors WHERE action_type = 'scale' AND is_active = $1 ORDER BY app_id, process_type", [true])).map(toMonitor);
    },
  };
}
