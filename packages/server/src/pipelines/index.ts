/**
 * The pipelines room: pipelines of apps in stages, couplings, and promotions that release the same
 * slug to the next stage. It throws SlipwayErrors; the API maps them to HTTP.
 */
import type { Store } from '../store/types.js';
import { createAccess } from './access.js';
import { pipelineOps } from './pipeline-ops.js';
import { promotionOps, type PromoteDeps } from './promote.js';

export type { ReleasePhaseRunner, PromotionInput } from './promote.js';
export { planPromotion, promotionDescription, type PromotionPlan } from './plan-promotion.js';
export { STAGES, LISTING_ORDER, NEXT_STAGE, isStage } from './stages.js';
export { PIPELINE_NAME } from './pipeline-ops.js';

export type PipelineServiceDeps = PromoteDeps & { store: Store };

export function createPipelineService(deps: PipelineServiceDeps) {
  const access = createAccess(deps.store);
  const promotions = promotionOps(deps, access);
  return {
    /** An app by id or name the user can see. */
    app: access.app,
    /** A pipeline by id or unique name the user can see. */
    pipeline: access.pipeline,
    ...pipelineOps(deps.store, access),
    ...promotions,
    /** Part lifecycle: waits for promotions in flight. */
    stop: () => promotions.settle(),
  };
}

export type PipelineService = ReturnType<typeof createPipelineService>;
