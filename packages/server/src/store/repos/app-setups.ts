import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../../errors.js';
import type { Row } from '../db.js';
import type { AppManifestRecord, AppManifestRepo, AppSetupRecord, AppSetupRepo, AppSetupStatus } from '../types.js';
import type { RepoDeps } from './deps.js';
import { fromJson, setClause, toDate, toJson, toStr, toStrOrNull } from './rows.js';

const toSetup = (r: Row): AppSetupRecord => ({
  id: toStr(r.id),
  appId: toStr(r.app_id),
  status: toStr(r.status) as AppSetupStatus,
  failureMessage: toStrOrNull(r.failure_message),
  sourceUrl: toStr(r.source_url),
  buildId: toStrOrNull(r.build_id),
  manifestErrors: fromJson<string[]>(r.manifest_errors, []),
  postdeploy: fromJson<AppSetupRecord['postdeploy']>(r.postdeploy, null),
  userId: toStr(r.user_id),
  createdAt: toDate(r.created_at),
  updatedAt: toDate(r.updated_at),
});

const toManifest = (r: Row): AppManifestRecord => ({
  appId: toStr(r.app_id),
  manifest: fromJson<Record<string, unknown>>(r.manifest, {}),
  updatedAt: toDate(r.updated_at),
});

const SETUP_COLUMNS = {
  status: { column: 'status' },
  failureMessage: { column: 'failure_message' },
  buildId: { column: 'build_id' },
  manifestErrors: { column: 'manifest_errors', encode: toJson },
  postdeploy: { column: 'postdeploy', encode: toJson },
};

/** App setups (the deploy-button flow). */
export function createAppSetupRepo({ db, clock }: RepoDeps): AppSetupRepo {
  return {
    async create(input) {
      const now = clock();
      const row = await db.one(
        `INSERT INTO app_setups (id, app_id, status, failure_message, source_url, build_id, manifest_errors, postdeploy, user_id, created_at, updated_at)
         VALUES ($1, $2, 'pending', NULL, $3, NULL, '[]', NULL, $4, $5, $5) RETURNING *`,
        [input.id ?? randomUUID(), input.appId, input.sourceUrl, input.userId, now],
      );
      return toSetup(row!);
    },
    async get(id) {
      const row = await db.one('SELECT * FROM app_setups WHERE id = $1', [id]);
      return row && toSetup(row);
    },
    async update(id, patch) {
      const params: unknown[] = [];
      const sets = setClause(patch, SETUP_COLUMNS, params);
      params.push(clock());
      sets.push(`updated_at = $${params.length}`);
      params.push(id);
      const row = await db.one(`UPDATE app_setups SET ${sets.join(', ')} WHERE id = $${params.length} RETURNING *`, params);
      if (!row) throw new NotFoundError('app-setup');
      return toSetup(row);
    },
  };
}

/** Each app's app.json as last read from its source. */
export function createAppManifestRepo({ db, clock }: RepoDeps): AppManifestRepo {
  return {
    async get(appId) {
      const row = await db.one('SELECT * FROM app_manifests WHERE app_id = $1', [appId]);
      return row && toManifest(row);
    },
    async put(appId, manifest) {
      const row = await db.one(
        `INSERT INTO app_manifests (app_id, manifest, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (app_id) DO UPDATE SET manifest = excluded.manifest, updated_at = excluded.updated_at RETURNING *`,
        [appId, toJson(manifest), clock()],
      );
      return toManifest(row!);
    },
  };
}
