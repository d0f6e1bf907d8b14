/**
 * Store records and repositories of environments: pipelines, couplings, promotions, app.json
 * manifests and app setups (migration v7). Part of the Store through `Repos` in types.ts.
 */

/** Heroku's pipeline stages, in promotion order after `review`. */
export type PipelineStage = 'review' | 'development' | 'staging' | 'production';

export interface PipelineRecord {
  id: string;
  name: string;
  ownerId: string;
  /** `user` (teams do not exist in Slipway yet). */
  ownerType: string;
  /** `cedar` (slugs) or `fir`. */
  generation: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface PipelineCouplingRecord {
  id: string;
  pipelineId: string;
  appId: string;
  stage: PipelineStage;
  createdAt: Date;
  updatedAt: Date;
}

export type PromotionStatus = 'pending' | 'succeeded' | 'failed';

export interface PipelinePromotionRecord {
  id: string;
  pipelineId: string;
  sourceAppId: string;
  /** The source's release whose slug is promoted (fixed when the promotion is made). */
  sourceReleaseId: string;
  status: PromotionStatus;
  userId: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface PromotionTargetRecord {
  id: string;
  promotionId: string;
  appId: string;
  status: PromotionStatus;
  releaseId: string | null;
  errorMessage: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An app's app.json as last read from its source (a build or an app setup), parsed. */
export interface AppManifestRecord {
  appId: string;
  manifest: Record<string, unknown>;
  updatedAt: Date;
}

export type AppSetupStatus = 'pending' | 'succeeded' | 'failed';

export interface AppSetupRecord {
  id: string;
  appId: string;
  status: AppSetupStatus;
  failureMessage: string | null;
  sourceUrl: string;
  buildId: string | null;
  /** Problems that did not stop the setup (an add-on not available…), Heroku's `manifest_errors`. */
  manifestErrors: string[];
  /** The postdeploy script's result, once it ran. */
  postdeploy: { output: string; exitCode: number } | null;
  userId: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface PipelineRepo {
  create(input: { name: string; ownerId: string; ownerType: string; generation: string; id?: string }): Promise<PipelineRecord>;
  get(id: string): Promise<PipelineRecord | undefined>;
  /** Every pipeline with that exact name, oldest first (names are not unique, as on Heroku). */
  findByName(name: string): Promise<PipelineRecord[]>;
  /** All pipelines sorted by name. */
  list(): Promise<PipelineRecord[]>;
  update(id: string, patch: Partial<Pick<PipelineRecord, 'name' | 'ownerId' | 'ownerType'>>): Promise<PipelineRecord>;
  /** Deletes the pipeline with its couplings and promotions (the apps stay). */
  delete(id: string): Promise<void>;

  /** Throws DuplicateError when the app is already in a pipeline. */
  couple(input: { pipelineId: string; appId: string; stage: PipelineStage }): Promise<PipelineCouplingRecord>;
  coupling(id: string): Promise<PipelineCouplingRecord | undefined>;
  couplingForApp(appId: string): Promise<PipelineCouplingRecord | undefined>;
  couplings(pipelineId: string): Promise<PipelineCouplingRecord[]>;
  setStage(couplingId: string, stage: PipelineStage): Promise<PipelineCouplingRecord>;
  uncouple(couplingId: string): Promise<void>;
}

export interface PromotionRepo {
  /** The promotion and one pending target per app, in the order given. */
  create(input: { pipelineId: string; sourceAppId: string; sourceReleaseId: string; userId: string; targetAppIds: string[] }): Promise<PipelinePromotionRecord>;
  get(id: string): Promise<PipelinePromotionRecord | undefined>;
  targets(promotionId: string): Promise<PromotionTargetRecord[]>;
  updateTarget(id: string, patch: Partial<Pick<PromotionTargetRecord, 'status' | 'releaseId' | 'errorMessage'>>): Promise<PromotionTargetRecord>;
  setStatus(id: string, status: PromotionStatus): Promise<PipelinePromotionRecord>;
}

export interface AppManifestRepo {
  get(appId: string): Promise<AppManifestRecord | undefined>;
  /** Inserts or replaces the app's manifest. */
  put(appId: string, manifest: Record<string, unknown>): Promise<AppManifestRecord>;
}

export interface AppSetupRepo {
  create(input: { appId: string; sourceUrl: string; userId: string; id?: string }): Promise<AppSetupRecord>;
  get(id: string): Promise<AppSetupRecord | undefined>;
  update(id: string, patch: Partial<Pick<AppSetupRecord, 'status' | 'failureMessage' | 'buildId' | 'manifestErrors' | 'postdeploy'>>): Promise<AppSetupRecord>;
}
