/** Pipelines and couplings: create, list, rename, couple an app at a stage, restage, uncouple, destroy. */
import { ConflictError, InvalidParamsError, NotFoundError, SlipwayError } from '../errors.js';
import { DuplicateError } from '../store/index.js';
import type { AppRecord, PipelineCouplingRecord, PipelineRecord, PipelineStage, Store, UserRecord } from '../store/types.js';
import type { Access } from './access.js';
import { isStage, STAGES } from './stages.js';

/** Heroku's pipeline names: letters, digits and dashes, starting with a letter, at most 30. */
export const PIPELINE_NAME = /^[a-z][a-z0-9-]{0,29}$/;

export function stageProblem(stage: unknown): string | undefined {
  return isStage(stage) ? undefined : `stage must be one of ${STAGES.join(', ')}.`;
}

export function pipelineOps(store: Store, access: Access) {
  function checkName(name: unknown): string {
    if (typeof name !== 'string' || !PIPELINE_NAME.test(name)) {
      throw new InvalidParamsError('Pipeline name must start with a letter and contain only lowercase letters, digits and dashes (at most 30).', 'name');
    }
    return name;
  }

  async function couple(user: UserRecord, pipeline: PipelineRecord, app: AppRecord, stage: PipelineStage): Promise<PipelineCouplingRecord> {
    try {
      return await store.pipelines.couple({ pipelineId: pipeline.id, appId: app.id, stage });
    } catch (err) {
      if (err instanceof DuplicateError) throw new InvalidParamsError('App is already in a pipeline', 'app');
      throw err;
    }
  }

  return {
    async createPipeline(user: UserRecord, input: { name: unknown; ownerId?: string; ownerType?: string; generation?: string }): Promise<PipelineRecord> {
      const name = checkName(input.name);
      if (input.ownerType !== undefined && input.ownerType !== 'user') throw new InvalidParamsError('Teams are not supported; the owner must be a user.', 'owner');
      const ownerId = input.ownerId ?? user.id;
      if (ownerId !== user.id && !user.admin) throw new SlipwayError('forbidden', 'You can only create pipelines you own.');
      if (!(await store.users.get(ownerId))) throw new NotFoundError('user');
      const generation = input.generation ?? 'cedar';
      if (generation !== 'cedar') throw new InvalidParamsError(`Generation ${generation} is not supported; Slipway runs cedar (slug) apps.`, 'generation');
      return store.pipelines.create({ name, ownerId, ownerType: 'user', generation });
    },

    /** The pipelines the user can see, by name. `name` filters (`?eq[name]=`). */
    async listPipelines(user: UserRecord, name?: string): Promise<PipelineRecord[]> {
      const all = name === undefined ? await store.pipelines.list() : await store.pipelines.findByName(name);
      const visible: PipelineRecord[] = [];
      for (const p of all) if (await access.canAccessPipeline(user, p)) visible.push(p);
      return visible;
    },

    async renamePipeline(user: UserRecord, pipeline: PipelineRecord, name: unknown): Promise<PipelineRecord> {
      return store.pipelines.update(pipeline.id, { name: checkName(name) });
    },

    /** Deletes the pipeline and its couplings; its apps stay. Only the owner (or an admin). */
    async destroyPipeline(user: UserRecord, pipeline: PipelineRecord): Promise<PipelineRecord> {
      if (!user.admin && pipeline.ownerId !== user.id) throw new SlipwayError('forbidden', `Only the owner of pipeline ${pipeline.name} can destroy it.`);
      await store.pipelines.delete(pipeline.id);
      return pipeline;
    },

    async couplings(pipeline: PipelineRecord): Promise<PipelineCouplingRecord[]> {
      return store.pipelines.couplings(pipeline.id);
    },

    /** Adds an app the user can reach to a pipeline they can see. */
    async addCoupling(user: UserRecord, input: { app: unknown; pipeline: unknown; stage: unknown }): Promise<PipelineCouplingRecord> {
      if (typeof input.app !== 'string' || input.app === '') throw new InvalidParamsError('app is required (a name or an id).', 'app');
      if (typeof input.pipeline !== 'string' || input.pipeline === '') throw new InvalidParamsError('pipeline is required (an id).', 'pipeline');
      const problem = stageProblem(input.stage);
      if (problem) throw new InvalidParamsError(problem, 'stage');
      const pipeline = await access.pipeline(user, input.pipeline);
      const app = await access.app(user, input.app);
      return couple(user, pipeline, app, input.stage as PipelineStage);
    },

    /** The app's coupling; `not_found` "App is not part of any pipeline" otherwise. */
    async couplingForApp(app: AppRecord): Promise<PipelineCouplingRecord> {
      const c = await store.pipelines.couplingForApp(app.id);
      if (!c) throw new NotFoundError('pipeline-coupling', 'App is not part of any pipeline');
      return c;
    },

    /** A coupling by id, when the user can reach its app. */
    async coupling(user: UserRecord, id: string): Promise<PipelineCouplingRecord> {
      const c = await store.pipelines.coupling(id);
      const app = c ? await store.apps.get(c.appId) : undefined;
      if (!c || !app || !(await access.canAccessApp(user, app))) throw new NotFoundError('pipeline-coupling');
      return c;
    },

    async setStage(coupling: PipelineCouplingRecord, stage: unknown): Promise<PipelineCouplingRecord> {
      const problem = stageProblem(stage);
      if (problem) throw new InvalidParamsError(problem, 'stage');
      return store.pipelines.setStage(coupling.id, stage as PipelineStage);
    },

    async removeCoupling(coupling: PipelineCouplingRecord): Promise<PipelineCouplingRecord> {
      const current = await store.pipelines.coupling(coupling.id);
      if (!current) throw new ConflictError('The app was already removed from its pipeline.');
      await store.pipelines.uncouple(coupling.id);
      return coupling;
    },
  };
}
