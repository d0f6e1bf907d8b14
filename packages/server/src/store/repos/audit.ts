import { randomUUID } from 'node:crypto';
import type { Row } from '../db.js';
import type { AuditEventRecord, AuditRepo } from '../types.js';
import type { RepoDeps } from './deps.js';
import { fromJson, toDate, toJson, toStr, toStrOrNull } from './rows.js';

const toEvent = (r: Row): AuditEventRecord => ({
  id: toStr(r.id),
  appId: toStrOrNull(r.app_id),
  userId: toStrOrNull(r.user_id),
  action: toStr(r.action),
  message: toStr(r.message),
  data: fromJson<Record<string, unknown>>(r.data, {}),
  createdAt: toDate(r.created_at),
});

/**
 * The audit log (platform lines such as `Release v3 created by user …`), kept in insertion order
 * by an auto-incrementing `seq`. An app's events are deleted with the app.
 */
export function createAuditRepo({ db, clock }: RepoDeps): AuditRepo {
  return {
    async record(input) {
      const row = await db.one(
        'INSERT INTO audit_events (id, app_id, user_id, action, message, data, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *',
        [randomUUID(), input.appId, input.userId, input.action, input.message, toJson(input.data ?? {}), input.createdAt ?? clock()],
      );
      return toEvent(row!);
    },
    /** The app's latest `limit` (default 100) events, oldest first. */
    async list(appId, limit = 100) {
      const rows = await db.query(
        `SELECT * FROM (SELECT * FROM audit_events WHERE app_id = $1 ORDER BY seq DESC LIMIT $2) AS latest ORDER BY seq`,
        [appId, Math.max(0, Math.floor(limit))],
      );
      return rows.map(toEvent);
    },
  };
}
