import type { Db } from '../db.js';

/**
 * Serialises writers of one app inside a transaction: on PostgreSQL it locks the app's row until
 * the transaction ends. FOR NO KEY UPDATE (not FOR UPDATE) so that it does not conflict with the
 * KEY SHARE locks other transactions' foreign-key checks take on the same row (which could
 * deadlock). On SQLite a transaction already holds the database's one write lock.
 */
export async function lockApp(db: Db, appId: string): Promise<void> {
  if (db.dialect === 'postgres') await db.query('SELECT id FROM apps WHERE id = $1 FOR NO KEY UPDATE', [appId]);
}
