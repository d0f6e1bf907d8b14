/**
 * Which apps a promotion goes to, decided purely from the pipeline's couplings (the service applies
 * it). Heroku's rules, as `POST /pipeline-promotions` enforces them:
 * - the source must be coupled to the pipeline named in the request;
 * - every target must be coupled to that same pipeline (`--to` picks them by hand);
 * - without explicit targets, the targets are every app of the source's next stage (stages.ts);
 * - an app is never promoted to itself, and a target is named once;
 * - the source must have a release with a slug (that slug is what is promoted).
 */
import type { PipelineCouplingRecord } from '../store/types.js';
import { NEXT_STAGE } from './stages.js';

export type PromotionPlan =
  | { ok: true; targetAppIds: string[] }
  | { ok: false; code: 'not_found' | 'invalid_params'; message: string };

export interface PromotionRequest {
  pipelineId: string;
  sourceAppId: string;
  sourceAppName: string;
  /** App ids asked for; empty means "the next stage". */
  targetAppIds: string[];
  /** The source's current release has a slug. */
  sourceHasSlug: boolean;
}

export function planPromotion(req: PromotionRequest, couplings: readonly PipelineCouplingRecord[]): PromotionPlan {
  const source = couplings.find((c) => c.appId === req.sourceAppId);
  if (!source || source.pipelineId !== req.pipelineId) {
    return { ok: false, code: 'invalid_params', message: `${req.sourceAppName} is not part of this pipeline.` };
  }
  if (!req.sourceHasSlug) {
    return { ok: false, code: 'invalid_params', message: `${req.sourceAppName} has no release with a slug to promote; deploy it first.` };
  }
  let targets: string[];
  if (req.targetAppIds.length > 0) {
    if (new Set(req.targetAppIds).size !== req.targetAppIds.length) {
      return { ok: false, code: 'invalid_params', message: 'A target app is named more than once.' };
    }
    if (req.targetAppIds.includes(req.sourceAppId)) {
      return { ok: false, code: 'invalid_params', message: `Cannot promote ${req.sourceAppName} to itself.` };
    }
    const inPipeline = new Set(couplings.filter((c) => c.pipelineId === req.pipelineId).map((c) => c.appId));
    const stranger = req.targetAppIds.find((id) => !inPipeline.has(id));
    if (stranger) return { ok: false, code: 'invalid_params', message: `Target app ${stranger} is not part of this pipeline.` };
    targets = req.targetAppIds;
  } else {
    const next = NEXT_STAGE[source.stage];
    if (!next) return { ok: false, code: 'invalid_params', message: `Cannot promote ${req.sourceAppName} from '${source.stage}' stage.` };
    targets = couplings.filter((c) => c.pipelineId === req.pipelineId && c.stage === next).map((c) => c.appId);
    if (targets.length === 0) {
      return { ok: false, code: 'invalid_params', message: `Cannot promote from ${req.sourceAppName} as there are no downstream apps in ${next} stage.` };
    }
  }
  return { ok: true, targetAppIds: targets };
}

/** `Promote myapp v12 1a2b3c4d` (Heroku's release description; the commit when the slug has one). */
export function promotionDescription(sourceName: string, version: number, commit: string | null): string {
  return `Promote ${sourceName} v${version}${commit ? ` ${commit.slice(0, 8)}` : ''}`;
}
