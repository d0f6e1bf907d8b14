import type { Db } from '../db.js';
import type { ConfigVarRepo } from '../types.js';
import { lockApp } from './app-lock.js';
import type { RepoDeps } from './deps.js';

async function read(db: Db, appId: string): Promise<Record<string, string>> {
  const rows = await db.query<{ key: string; value: string }>('SELECT key, value FROM config_vars WHERE app_id = $1 ORDER BY key', [appId]);
  const config: Record<string, string> = {};
  for (const r of rows) config[String(r.key)] = String(r.value);
  return config;
}

const UPSERT = `INSERT INTO config_vars (app_id, key, value) VALUES ($1, $2, $3)
  ON CONFLICT (app_id, key) DO UPDATE SET value = excluded.value`;

/**
 * Config vars, one row per key. Writes, and reads inside a transaction, lock the app (see
 * app-lock.ts): a transaction that reads or patches the config and then snapshots it into a
 * release is never interleaved with another change of the same app's config (no lost change).
 */
export function createConfigVarRepo({ db }: RepoDeps): ConfigVarRepo {
  return {
    async get(appId) {
      if (db.inTransaction) await lockApp(db, appId);
      return read(db, appId);
    },
    patch: (appId, patch) =>
      db.tx(async (tx) => {
        await lockApp(tx, appId);
        for (const [key, value] of Object.entries(patch)) {
          if (value === null) await tx.run('DELETE FROM config_vars WHERE app_id = $1 AND key = $2', [appId, key]);
          else await tx.run(UPSERT, [appId, key, String(value)]);
        }
        return read(tx, appId);
      }),
    replace: (appId, config) =>
      db.tx(async (tx) => {
        await lockApp(tx, appId);
        await tx.run('DELETE FROM config_vars WHERE app_id = $1', [appId]);
        for (const [key, value] of Object.entries(config)) await tx.run(UPSERT, [appId, key, String(value)]);
      }),
  };
}
