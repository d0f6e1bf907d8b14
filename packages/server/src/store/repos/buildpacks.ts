import type { Db } from '../db.js';
import type { BuildpackRecord, BuildpackRepo } from '../types.js';
import type { RepoDeps } from './deps.js';
import { toInt, toStr } from './rows.js';

async function read(db: Db, appId: string): Promise<BuildpackRecord[]> {
  const rows = await db.query('SELECT * FROM buildpacks WHERE app_id = $1 ORDER BY ordinal', [appId]);
  return rows.map((r) => ({ appId: toStr(r.app_id), ordinal: toInt(r.ordinal), url: toStr(r.url) }));
}

/** An app's buildpacks, ordinals from 0 as Heroku's buildpack-installations. */
export function createBuildpackRepo({ db }: RepoDeps): BuildpackRepo {
  return {
    list: (appId) => read(db, appId),
    replace: (appId, urls) =>
      db.tx(async (tx) => {
        await tx.run('DELETE FROM buildpacks WHERE app_id = $1', [appId]);
        for (const [ordinal, url] of urls.entries()) {
          await tx.run('INSERT INTO buildpacks (app_id, ordinal, url) VALUES ($1, $2, $3)', [appId, ordinal, url]);
        }
        return read(tx, appId);
      }),
  };
}
