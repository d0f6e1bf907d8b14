import type { AppFeatureRepo } from '../types.js';
import type { RepoDeps } from './deps.js';
import { toBool, toStr } from './rows.js';

/** App features without a column of their own (`log-runtime-metrics`). */
export function createAppFeatureRepo({ db }: RepoDeps): AppFeatureRepo {
  return {
    async get(appId, name) {
      const row = await db.one('SELECT enabled FROM app_features WHERE app_id = $1 AND name = $2', [appId, name]);
      return row ? toBool(row.enabled) : undefined;
    },
    async set(appId, name, enabled) {
      await db.run(
        'INSERT INTO app_features (app_id, name, enabled) VALUES ($1, $2, $3) ON CONFLICT (app_id, name) DO UPDATE SET enabled = excluded.enabled',
        [appId, name, enabled],
      );
    },
    async appsWith(name) {
      return (await db.query('SELECT app_id FROM app_features WHERE name = $1 AND enabled = $2 ORDER BY app_id', [name, true])).map((r) => toStr(r.app_id));
    },
  };
}
