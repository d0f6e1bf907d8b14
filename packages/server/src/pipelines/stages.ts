/**
 * Heroku's pipeline stages and the promotion rule, pure.
 *
 * Rules (Heroku Dev Center, "Pipelines"; the official CLI's `pipelines:promote`):
 * - Stages are `review`, `development`, `staging`, `production`.
 * - Promotion goes to the next stage of `development → staging → production`.
 * - `review` apps are promoted by hand (`--to`), never by the stage rule; `production` is the end.
 */
import type { PipelineStage } from '../store/types.js';

export const STAGES: readonly PipelineStage[] = ['review', 'development', 'staging', 'production'];

/** The order the CLI lists apps in (`pipelines:info`). */
export const LISTING_ORDER: readonly PipelineStage[] = ['development', 'review', 'staging', 'production'];

/** The stage an app of `stage` promotes to by default. */
export const NEXT_STAGE: Readonly<Partial<Record<PipelineStage, PipelineStage>>> = {
  development: 'staging',
  staging: 'production',
};

export function isStage(v: unknown): v is PipelineStage {
  return typeof v === 'string' && (STAGES as readonly string[]).includes(v);
}
