/** Who may see and change a pipeline, and the app/pipeline lookups every operation starts with. */
import { NotFoundError } from '../errors.js';
import type { AppRecord, PipelineRecord, Store, UserRecord } from '../store/types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createAccess(store: Store) {
  async function canAccessApp(user: UserRecord, app: AppRecord): Promise<boolean> {
    return user.admin || app.ownerId === user.id || (await store.collaborators.find(app.id, user.id)) !== undefined;
  }

  /** The pipeline's owner, an admin, or anyone with access to one of its apps. */
  async function canAccessPipeline(user: UserRecord, pipeline: PipelineRecord): Promise<boolean> {
    if (user.admin || pipeline.ownerId === user.id) return true;
    for (const c of await store.pipelines.couplings(pipeline.id)) {
      const app = await store.apps.get(c.appId);
      if (app && (await canAccessApp(user, app))) return true;
    }
    return false;
  }

  return {
    canAccessApp,
    canAccessPipeline,
    /** An app by id or name that the user may see; else `not_found`. */
    async app(user: UserRecord, idOrName: string): Promise<AppRecord> {
      const app = (UUID.test(idOrName) ? await store.apps.get(idOrName) : undefined) ?? (await store.apps.findByName(idOrName));
      if (!app || !(await canAccessApp(user, app))) throw new NotFoundError('app', `Couldn't find that app.`);
      return app;
    },
    /** A pipeline by id (or by name when exactly one visible pipeline has it) that the user may see. */
    async pipeline(user: UserRecord, idOrName: string): Promise<PipelineRecord> {
      const candidates = UUID.test(idOrName) ? [await store.pipelines.get(idOrName)] : await store.pipelines.findByName(idOrName);
      const visible: PipelineRecord[] = [];
      for (const p of candidates) if (p && (await canAccessPipeline(user, p))) visible.push(p);
      if (visible.length !== 1) throw new NotFoundError('pipeline', visible.length === 0 ? 'Pipeline not found.' : `More than one pipeline is named ${idOrName}; use its id.`);
      return visible[0];
    },
  };
}

export type Access = ReturnType<typeof createAccess>;
