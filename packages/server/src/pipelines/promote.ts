/**
 * Promotions: the source app's current slug becomes a new release of each target — no build, the
 * target's own config vars, the release phase run against them first, the description naming the
 * source (`Promote staging-app v7 1a2b3c4d`). `create` answers at once with the pending promotion;
 * the targets are released in the background (owned here: `stop()` waits for them) and each one's
 * status, release and error are kept for `GET /pipeline-promotions/{id}/promotion-targets`.
 */
import path from 'node:path';
import { NotFoundError, SlipwayError } from '../errors.js';
import type { Logger } from '../log/index.js';
import type { AppRecord, PipelinePromotionRecord, PromotionTargetRecord, ReleaseRecord, SlugRecord, Store, UserRecord } from '../store/types.js';
import type { Access } from './access.js';
import { planPromotion, promotionDescription } from './plan-promotion.js';

/** The release phase of a candidate release (the dyno manager's `runReleasePhase`). */
export type ReleasePhaseRunner = (
  app: AppRecord,
  candidate: { slugPath: string; config: Record<string, string> },
  command: string,
  onOutput: (text: string) => void,
) => Promise<{ exitCode: number }>;

export interface PromoteDeps {
  store: Store;
  dataDir: string;
  logger: Logger;
  /** The apps service's release of a slug with the app's current config (formation sync, announcements). */
  deployRelease(input: { app: AppRecord; slugId: string; description: string; user: UserRecord }): Promise<ReleaseRecord>;
  runReleasePhase: ReleasePhaseRunner;
  /** Keeps a release's release-phase output (`releases:output`, the release's output_stream_url). */
  saveReleaseOutput(releaseId: string, text: string): Promise<void>;
}

export interface PromotionInput {
  pipeline: unknown;
  source: unknown;
  targets?: unknown;
}

const MAX_OUTPUT = 4 * 1024 * 1024;

export function promotionOps(deps: PromoteDeps, access: Access) {
  const { store, logger } = deps;
  const inFlight = new Set<Promise<void>>();

  async function releaseTo(user: UserRecord, source: AppRecord, sourceRelease: ReleaseRecord, slug: SlugRecord, target: AppRecord, row: PromotionTargetRecord): Promise<void> {
    try {
      await store.slugs.share(slug.id, target.id);
      const description = promotionDescription(source.name, sourceRelease.version, slug.commit);
      let output: string | undefined;
      const command = slug.processTypes.release;
      if (command) {
        const config = await store.configVars.get(target.id);
        let text = '';
        const { exitCode } = await deps.runReleasePhase(target, { slugPath: path.join(deps.dataDir, slug.blobPath ?? ''), config }, command, (t) => {
          if (text.length < MAX_OUTPUT) text += t;
        });
        if (exitCode !== 0) {
          const failed = await store.releases.create({ appId: target.id, slugId: slug.id, config, description, status: 'failed', userId: user.id });
          await deps.saveReleaseOutput(failed.id, text);
          await store.promotions.updateTarget(row.id, { status: 'failed', releaseId: failed.id, errorMessage: `Release command failed (exit ${exitCode}); ${target.name} keeps its current release.` });
          return;
        }
        output = text;
      }
      const release = await deps.deployRelease({ app: target, slugId: slug.id, description, user });
      if (output !== undefined) await deps.saveReleaseOutput(release.id, output);
      await store.promotions.updateTarget(row.id, { status: 'succeeded', releaseId: release.id });
    } catch (err) {
      if (!(err instanceof SlipwayError)) logger.error('promotion.target_failed', { app: target.name, error: (err as Error)?.stack ?? String(err) });
      const message = err instanceof SlipwayError ? err.message : 'Internal error while promoting.';
      await store.promotions.updateTarget(row.id, { status: 'failed', errorMessage: message }).catch(() => undefined);
    }
  }

  async function run(user: UserRecord, promotion: PipelinePromotionRecord, source: AppRecord, sourceRelease: ReleaseRecord, slug: SlugRecord, targets: AppRecord[]): Promise<void> {
    const rows = await store.promotions.targets(promotion.id);
    await Promise.all(rows.map((row) => releaseTo(user, source, sourceRelease, slug, targets.find((t) => t.id === row.appId)!, row)));
    const done = await store.promotions.targets(promotion.id);
    const status = done.every((t) => t.status === 'succeeded') ? 'succeeded' : 'failed';
    await store.promotions.setStatus(promotion.id, status);
    logger.info('promotion.finish', { promotion: promotion.id, source: source.name, status });
  }

  function idOf(v: unknown, field: string): string {
    const id = (v as { id?: unknown } | null)?.id;
    if (typeof id !== 'string' || id === '') throw new SlipwayError('invalid_params', `${field} is required.`, { field });
    return id;
  }

  return {
    async createPromotion(user: UserRecord, input: PromotionInput): Promise<PipelinePromotionRecord> {
      const pipeline = await access.pipeline(user, idOf(input.pipeline, 'pipeline.id'));
      const source = await access.app(user, idOf((input.source as { app?: unknown } | null)?.app, 'source.app.id'));
      if (input.targets !== undefined && !Array.isArray(input.targets)) throw new SlipwayError('invalid_params', 'targets must be an array of {"app":{"id":…}}.', { field: 'targets' });
      const targets: AppRecord[] = [];
      for (const t of (input.targets as unknown[] | undefined) ?? []) targets.push(await access.app(user, idOf((t as { app?: unknown } | null)?.app, 'targets[].app.id')));
      const sourceRelease = await store.releases.current(source.id);
      const slug = sourceRelease?.slugId ? await store.slugs.get(source.id, sourceRelease.slugId) : undefined;
      const couplings = await store.pipelines.couplings(pipeline.id);
      const plan = planPromotion(
        { pipelineId: pipeline.id, sourceAppId: source.id, sourceAppName: source.name, targetAppIds: targets.map((t) => t.id), sourceHasSlug: slug !== undefined },
        couplings,
      );
      if (!plan.ok) throw new SlipwayError(plan.code, plan.message);
      const targetApps: AppRecord[] = [];
      for (const id of plan.targetAppIds) {
        const app = targets.find((t) => t.id === id) ?? (await store.apps.get(id));
        if (!app || !(await access.canAccessApp(user, app))) throw new SlipwayError('forbidden', `You do not have access to the target app ${app?.name ?? id}.`);
        targetApps.push(app);
      }
      const promotion = await store.promotions.create({ pipelineId: pipeline.id, sourceAppId: source.id, sourceReleaseId: sourceRelease!.id, userId: user.id, targetAppIds: plan.targetAppIds });
      logger.info('promotion.start', { promotion: promotion.id, source: source.name, targets: targetApps.map((a) => a.name).join(',') });
      const job = run(user, promotion, source, sourceRelease!, slug!, targetApps)
        .catch((err) => logger.error('promotion.failed', { promotion: promotion.id, error: (err as Error)?.stack ?? String(err) }));
      inFlight.add(job);
      void job.finally(() => inFlight.delete(job));
      return promotion;
    },

    /** A promotion the user can see (through its pipeline). */
    async getPromotion(user: UserRecord, id: string): Promise<PipelinePromotionRecord> {
      const promotion = /^[0-9a-f-]{36}$/i.test(id) ? await store.promotions.get(id) : undefined;
      const pipeline = promotion ? await store.pipelines.get(promotion.pipelineId) : undefined;
      if (!promotion || !pipeline || !(await access.canAccessPipeline(user, pipeline))) throw new NotFoundError('pipeline-promotion');
      return promotion;
    },

    async promotionTargets(promotion: PipelinePromotionRecord): Promise<PromotionTargetRecord[]> {
      return store.promotions.targets(promotion.id);
    },

    /** Waits for the promotions still releasing (shutdown, tests). */
    async settle(): Promise<void> {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}
