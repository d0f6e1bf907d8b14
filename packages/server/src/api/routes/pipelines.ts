/**
 * Pipelines (heroku-contract-2.md C1): `/pipelines` (list, `?eq[name]=`, create, one, rename,
 * destroy), `/pipeline-couplings` (create, one, restage, remove), `/pipelines/{id}/pipeline-couplings`,
 * `/apps/{app}/pipeline-couplings`, `/pipeline-promotions` and their `promotion-targets`, and the
 * `POST /filters/apps` the official CLI lists a pipeline's apps with.
 */
import { z } from 'zod';
import { stableId, type App, type Pipeline, type PipelineCoupling, type PipelinePromotion, type PipelinePromotionTarget } from '@slipway/contract';
import type { AppService } from '../../apps/index.js';
import type { Config } from '../../config.js';
import type { PipelineService } from '../../pipelines/index.js';
import type { AppRecord, PipelineCouplingRecord, PipelinePromotionRecord, PipelineRecord, PromotionTargetRecord, Store } from '../../store/types.js';
import type { Route } from '../http/index.js';
import { toApp } from '../present.js';
import { body } from '../validate.js';
import { userLookup } from './deps.js';

export interface PipelineRouteDeps {
  config: Config;
  store: Store;
  apps: Pick<AppService, 'resolve'>;
  pipelines: PipelineService;
}

const iso = (d: Date) => d.toISOString();

export function toPipeline(p: PipelineRecord): Pipeline {
  return { id: p.id, name: p.name, owner: { id: p.ownerId, type: 'user' }, generation: { id: stableId('generation', p.generation), name: p.generation }, created_at: iso(p.createdAt), updated_at: iso(p.updatedAt) };
}

const CreatePipeline = z.strictObject({
  name: z.string(),
  owner: z.strictObject({ id: z.string().min(1), type: z.enum(['user', 'team']) }).optional(),
  generation: z.union([z.strictObject({ name: z.string() }), z.string()]).optional(),
});
const RenamePipeline = z.object({ name: z.string() });
const CreateCoupling = z.strictObject({ app: z.string().min(1), pipeline: z.string().min(1), stage: z.string() });
const UpdateCoupling = z.strictObject({ stage: z.string() });
const Ref = z.object({ id: z.string().min(1) });
const CreatePromotion = z.strictObject({
  pipeline: Ref,
  source: z.object({ app: Ref }),
  targets: z.array(z.object({ app: Ref })).max(50).optional(),
});
const FilterApps = z.object({ in: z.object({ id: z.array(z.string()).max(1000) }) });

export function pipelineRoutes(deps: PipelineRouteDeps): Route[] {
  const { store, pipelines, config } = deps;

  async function coupling(c: PipelineCouplingRecord, pipeline?: PipelineRecord): Promise<PipelineCoupling> {
    const p = pipeline ?? (await store.pipelines.get(c.pipelineId));
    const app = await store.apps.get(c.appId);
    return {
      id: c.id, app: { id: c.appId, name: app?.name ?? '' }, pipeline: { id: c.pipelineId, name: p?.name ?? '' }, stage: c.stage,
      created_at: iso(c.createdAt), updated_at: iso(c.updatedAt),
    };
  }

  function promotion(p: PipelinePromotionRecord): PipelinePromotion {
    return {
      id: p.id, pipeline: { id: p.pipelineId }, source: { app: { id: p.sourceAppId }, release: { id: p.sourceReleaseId } },
      status: p.status === 'pending' ? 'pending' : 'completed', created_at: iso(p.createdAt), updated_at: iso(p.updatedAt),
    };
  }

  function target(t: PromotionTargetRecord): PipelinePromotionTarget {
    return {
      id: t.id, app: { id: t.appId }, pipeline_promotion: { id: t.promotionId }, release: t.releaseId ? { id: t.releaseId } : null,
      status: t.status, error_message: t.errorMessage,
    };
  }

  async function appsOf(list: AppRecord[]): Promise<App[]> {
    const users = userLookup(store);
    const out: App[] = [];
    for (const a of list) {
      const current = await store.releases.current(a.id);
      const slug = current?.slugId ? await store.slugs.get(a.id, current.slugId) : undefined;
      const owner = await users(a.ownerId);
      out.push({ ...toApp(config, a, owner), slug_size: slug?.size ?? null });
    }
    return out;
  }

  return [
    {
      method: 'GET', path: '/pipelines',
      handler: async (ctx) => {
        const name = ctx.query.get('eq[name]') ?? undefined;
        return { body: (await pipelines.listPipelines(ctx.user, name)).map(toPipeline) };
      },
    },
    {
      method: 'POST', path: '/pipelines',
      handler: async (ctx) => {
        const input = await body(ctx, CreatePipeline);
        const generation = typeof input.generation === 'string' ? input.generation : input.generation?.name;
        const p = await pipelines.createPipeline(ctx.user, { name: input.name, ownerId: input.owner?.id, ownerType: input.owner?.type, generation });
        return { status: 201, body: toPipeline(p) };
      },
    },
    { method: 'GET', path: '/pipelines/:pipeline', handler: async (ctx) => ({ body: toPipeline(await pipelines.pipeline(ctx.user, ctx.params.pipeline)) }) },
    {
      method: 'PATCH', path: '/pipelines/:pipeline',
      handler: async (ctx) => {
        const p = await pipelines.pipeline(ctx.user, ctx.params.pipeline);
        const input = await body(ctx, RenamePipeline);
        return { body: toPipeline(await pipelines.renamePipeline(ctx.user, p, input.name)) };
      },
    },
    {
      method: 'DELETE', path: '/pipelines/:pipeline',
      handler: async (ctx) => {
        const p = await pipelines.pipeline(ctx.user, ctx.params.pipeline);
        return { body: toPipeline(await pipelines.destroyPipeline(ctx.user, p)) };
      },
    },
    {
      method: 'GET', path: '/pipelines/:pipeline/pipeline-couplings',
      handler: async (ctx) => {
        const p = await pipelines.pipeline(ctx.user, ctx.params.pipeline);
        const out: PipelineCoupling[] = [];
        for (const c of await pipelines.couplings(p)) out.push(await coupling(c, p));
        return { body: out };
      },
    },
    {
      method: 'POST', path: '/pipeline-couplings',
      handler: async (ctx) => {
        const input = await body(ctx, CreateCoupling);
        return { status: 201, body: await coupling(await pipelines.addCoupling(ctx.user, input)) };
      },
    },
    { method: 'GET', path: '/pipeline-couplings/:coupling', handler: async (ctx) => ({ body: await coupling(await pipelines.coupling(ctx.user, ctx.params.coupling)) }) },
    {
      method: 'PATCH', path: '/pipeline-couplings/:coupling',
      handler: async (ctx) => {
        const c = await pipelines.coupling(ctx.user, ctx.params.coupling);
        const input = await body(ctx, UpdateCoupling);
        return { body: await coupling(await pipelines.setStage(c, input.stage)) };
      },
    },
    {
      method: 'DELETE', path: '/pipeline-couplings/:coupling',
      handler: async (ctx) => {
        const c = await pipelines.coupling(ctx.user, ctx.params.coupling);
        const shown = await coupling(c);
        await pipelines.removeCoupling(c);
        return { body: shown };
      },
    },
    {
      method: 'GET', path: '/apps/:app/pipeline-couplings',
      handler: async (ctx) => {
        const app = await deps.apps.resolve(ctx.user, ctx.params.app);
        return { body: await coupling(await pipelines.couplingForApp(app)) };
      },
    },
    {
      method: 'POST', path: '/pipeline-promotions',
      handler: async (ctx) => {
        const input = await body(ctx, CreatePromotion);
        return { status: 201, body: promotion(await pipelines.createPromotion(ctx.user, input)) };
      },
    },
    { method: 'GET', path: '/pipeline-promotions/:promotion', handler: async (ctx) => ({ body: promotion(await pipelines.getPromotion(ctx.user, ctx.params.promotion)) }) },
    {
      method: 'GET', path: '/pipeline-promotions/:promotion/promotion-targets',
      handler: async (ctx) => {
        const p = await pipelines.getPromotion(ctx.user, ctx.params.promotion);
        return { body: (await pipelines.promotionTargets(p)).map(target) };
      },
    },
    {
      // The apps asked for that the user can see, and only those (the CLI joins them to couplings by id).
      method: 'POST', path: '/filters/apps',
      handler: async (ctx) => {
        const input = await body(ctx, FilterApps);
        const found: AppRecord[] = [];
        for (const id of new Set(input.in.id)) {
          const app = await pipelines.app(ctx.user, id).catch(() => undefined);
          if (app) found.push(app);
        }
        return { body: await appsOf(found) };
      },
    },
  ];
}
