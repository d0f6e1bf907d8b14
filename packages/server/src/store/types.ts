/**
 * The store: all platform state behind one interface, one repository per noun. Two implementations
 * (SQLite, PostgreSQL) pass the same contract suite (`store/contract.case.ts`).
 *
 * Records are the platform's own shapes (camelCase, Date objects); the API layer turns them into
 * Heroku's JSON. Every write that spans several rows goes through `store.transaction(...)`.
 * Lookups return `undefined` when nothing matches; domain errors are the caller's business.
 */
import type { AppManifestRepo, AppSetupRepo, PipelineRepo, PromotionRepo } from './types-environments.js';

export type * from './types-environments.js';

export interface UserRecord {
  id: string;
  email: string;
  admin: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface TokenRecord {
  id: string;
  userId: string;
  /** sha256 hex of the token; the token itself is never stored. */
  tokenHash: string;
  description: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export interface AppRecord {
  id: string;
  name: string;
  ownerId: string;
  region: string;
  stack: string;
  maintenance: boolean;
  /** Web dynos of a new release boot before the old ones stop. */
  preboot: boolean;
  createdAt: Date;
  updatedAt: Date;
  releasedAt: Date | null;
}

export interface CollaboratorRecord {
  id: string;
  appId: string;
  userId: string;
  createdAt: Date;
  updatedAt: Date;
}

export type ReleaseStatus = 'pending' | 'succeeded' | 'failed';
export interface ReleaseRecord {
  id: string;
  appId: string;
  version: number;
  slugId: string | null;
  /** Full config as of this release (for rollback and `releases/{v}/config-vars`). */
  config: Record<string, string>;
  description: string;
  status: ReleaseStatus;
  userId: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface SlugRecord {
  id: string;
  appId: string;
  checksum: string | null;
  size: number | null;
  processTypes: Record<string, string>;
  commit: string | null;
  commitDescription: string | null;
  buildpackProvidedDescription: string | null;
  stack: string;
  /** Where the tar.gz lives, relative to the data dir. */
  blobPath: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type BuildStatus = 'pending' | 'succeeded' | 'failed';
export interface BuildRecord {
  id: string;
  appId: string;
  status: BuildStatus;
  sourceUrl: string;
  sourceVersion: string | null;
  sourceChecksum: string | null;
  buildpacks: string[];
  slugId: string | null;
  releaseId: string | null;
  userId: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface BuildpackRecord {
  appId: string;
  ordinal: number;
  url: string;
}

export interface FormationRecord {
  id: string;
  appId: string;
  type: string;
  quantity: number;
  size: string;
  command: string;
  createdAt: Date;
  updatedAt: Date;
}

export type DynoState = 'starting' | 'up' | 'crashed' | 'down';
export interface DynoRecord {
  id: string;
  appId: string;
  /** `web.1`, `worker.2`, `run.4821` */
  name: string;
  type: string;
  command: string;
  size: string;
  state: DynoState;
  releaseId: string | null;
  releaseVersion: number | null;
  /** Host and port the router reaches a web dyno at. */
  host: string | null;
  port: number | null;
  /** Driver-specific handle for re-adoption after a restart (pid, container id…). */
  driverRef: Record<string, unknown> | null;
  attach: boolean;
  restartCount: number;
  exitCode: number | null;
  createdAt: Date;
  /** When `state` last changed: `ps` shows it as the since-time. */
  updatedAt: Date;
}

export interface DomainRecord {
  id: string;
  appId: string;
  hostname: string;
  kind: 'heroku' | 'custom';
  cname: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An autoscaling policy or alert on a process type (Heroku's monitor). */
export interface MonitorRecord {
  id: string;
  appId: string;
  processType: string;
  /** `scale` (autoscaling) or `alert`. */
  actionType: string;
  /** `LATENCY_SCALE` (p95 ms in `value`) or `METRIC_SCALE` (l2met `metric`, `value` per dyno). */
  name: string;
  isActive: boolean;
  op: string;
  period: number;
  value: number;
  minQuantity: number;
  maxQuantity: number;
  notificationChannels: string[];
  notificationPeriod: number;
  queueTimeMs: number | null;
  metric: string | null;
  idleMs: number | null;
  /** `slipway` (the fast policy) or `heroku` (one dyno a minute, for comparison). */
  strategy: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface AuditEventRecord {
  id: string;
  appId: string | null;
  userId: string | null;
  /** `release.create`, `formation.scale`, `config.update`, `app.create`… */
  action: string;
  /** The platform line, e.g. `Release v3 created by user admin@example.com`. */
  message: string;
  data: Record<string, unknown>;
  createdAt: Date;
}

export interface DrainRecord {
  id: string;
  appId: string;
  url: string;
  token: string;
  createdAt: Date;
  updatedAt: Date;
}

/** Keyset pagination for lists (Heroku's Range header maps onto this). */
export interface Page {
  /** Exclusive lower (asc) or upper (desc) bound on the sort key. */
  after?: string | number;
  limit?: number;
  order?: 'asc' | 'desc';
}

export type New<T extends { id: string; createdAt: Date; updatedAt: Date }> =
  Omit<T, 'id' | 'createdAt' | 'updatedAt'> & { id?: string };

export interface UserRepo {
  create(input: { email: string; admin: boolean; id?: string }): Promise<UserRecord>;
  get(id: string): Promise<UserRecord | undefined>;
  findByEmail(email: string): Promise<UserRecord | undefined>;
  list(): Promise<UserRecord[]>;
}

export interface TokenRepo {
  create(input: { userId: string; tokenHash: string; description: string }): Promise<TokenRecord>;
  findByHash(tokenHash: string): Promise<TokenRecord | undefined>;
  listForUser(userId: string): Promise<TokenRecord[]>;
  touch(id: string, at: Date): Promise<void>;
  delete(id: string): Promise<void>;
}

/** Dashboard sign-in: one password hash per user (the hash string says its KDF and parameters). */
export interface PasswordRepo {
  /** The user's hash, undefined when they have no password (token-only users). */
  get(userId: string): Promise<string | undefined>;
  /** Sets or replaces the user's hash. */
  set(userId: string, hash: string): Promise<void>;
}

export interface AppRepo {
  create(input: New<AppRecord>): Promise<AppRecord>;
  get(id: string): Promise<AppRecord | undefined>;
  findByName(name: string): Promise<AppRecord | undefined>;
  /** Apps sorted by name. */
  list(): Promise<AppRecord[]>;
  /** Apps the user owns or collaborates on, sorted by name. */
  listForUser(userId: string): Promise<AppRecord[]>;
  update(id: string, patch: Partial<Pick<AppRecord, 'name' | 'maintenance' | 'preboot' | 'stack' | 'releasedAt'>>): Promise<AppRecord>;
  /** Deletes the app and everything that belongs to it. */
  delete(id: string): Promise<void>;
}

export interface CollaboratorRepo {
  add(appId: string, userId: string): Promise<CollaboratorRecord>;
  list(appId: string): Promise<CollaboratorRecord[]>;
  find(appId: string, userId: string): Promise<CollaboratorRecord | undefined>;
  remove(appId: string, userId: string): Promise<void>;
}

export interface ConfigVarRepo {
  get(appId: string): Promise<Record<string, string>>;
  /** Applies a patch (null deletes) and returns the full resulting config. */
  patch(appId: string, patch: Record<string, string | null>): Promise<Record<string, string>>;
  replace(appId: string, config: Record<string, string>): Promise<void>;
}

export interface ReleaseRepo {
  /** Creates the next version for the app (max+1, never reused, safe under concurrency inside a transaction). */
  create(input: Omit<New<ReleaseRecord>, 'version'>): Promise<ReleaseRecord>;
  get(appId: string, idOrVersion: string | number): Promise<ReleaseRecord | undefined>;
  /** Paged by version. */
  list(appId: string, page?: Page): Promise<ReleaseRecord[]>;
  /** The newest succeeded release. */
  current(appId: string): Promise<ReleaseRecord | undefined>;
  setStatus(id: string, status: ReleaseStatus): Promise<void>;
  count(appId: string): Promise<number>;
}

export interface SlugRepo {
  create(input: New<SlugRecord>): Promise<SlugRecord>;
  /** The app's own slug or one shared with it. */
  get(appId: string, id: string): Promise<SlugRecord | undefined>;
  /** The app's own slugs. */
  list(appId: string): Promise<SlugRecord[]>;
  update(id: string, patch: Partial<Pick<SlugRecord, 'checksum' | 'size' | 'blobPath' | 'processTypes'>>): Promise<SlugRecord>;
  delete(id: string): Promise<void>;
  /** Lets another app's releases use this slug (a pipeline promotion); `get(appId, id)` then finds it. Idempotent. */
  share(slugId: string, appId: string): Promise<void>;
  /** The apps the slug was shared with, in the order shared. */
  sharedWith(slugId: string): Promise<string[]>;
}

export interface BuildRepo {
  create(input: New<BuildRecord>): Promise<BuildRecord>;
  get(appId: string, id: string): Promise<BuildRecord | undefined>;
  list(appId: string, page?: Page): Promise<BuildRecord[]>;
  update(id: string, patch: Partial<Pick<BuildRecord, 'status' | 'slugId' | 'releaseId'>>): Promise<BuildRecord>;
}

export interface BuildpackRepo {
  list(appId: string): Promise<BuildpackRecord[]>;
  /** Replaces the app's buildpacks with this ordered list. */
  replace(appId: string, urls: string[]): Promise<BuildpackRecord[]>;
}

export interface FormationRepo {
  list(appId: string): Promise<FormationRecord[]>;
  get(appId: string, type: string): Promise<FormationRecord | undefined>;
  /** Creates or updates one process type. */
  upsert(appId: string, input: { type: string; quantity?: number; size?: string; command?: string }): Promise<FormationRecord>;
  delete(appId: string, type: string): Promise<void>;
  /** Every app's formation (the dyno manager reconciles all of them). */
  listAll(): Promise<FormationRecord[]>;
}

export interface DynoRepo {
  upsert(input: New<DynoRecord> & { id?: string }): Promise<DynoRecord>;
  get(appId: string, idOrName: string): Promise<DynoRecord | undefined>;
  list(appId: string): Promise<DynoRecord[]>;
  listAll(): Promise<DynoRecord[]>;
  /** Sets state and, when it changes, updatedAt (the since-time). */
  update(id: string, patch: Partial<Omit<DynoRecord, 'id' | 'appId' | 'createdAt'>>): Promise<DynoRecord>;
  delete(id: string): Promise<void>;
}

export interface MonitorRepo {
  create(input: New<MonitorRecord> & { id?: string }): Promise<MonitorRecord>;
  list(appId: string, processType?: string): Promise<MonitorRecord[]>;
  get(appId: string, id: string): Promise<MonitorRecord | undefined>;
  update(id: string, patch: Partial<Omit<MonitorRecord, 'id' | 'appId' | 'processType' | 'createdAt' | 'updatedAt'>>): Promise<MonitorRecord>;
  delete(id: string): Promise<void>;
  /** Every active `scale` monitor (the autoscaler's work list). */
  listActiveScale(): Promise<MonitorRecord[]>;
}

export interface DomainRepo {
  create(input: New<DomainRecord>): Promise<DomainRecord>;
  list(appId: string): Promise<DomainRecord[]>;
  /** By id or hostname. */
  get(appId: string, idOrHostname: string): Promise<DomainRecord | undefined>;
  findByHostname(hostname: string): Promise<DomainRecord | undefined>;
  listAll(): Promise<DomainRecord[]>;
  delete(id: string): Promise<void>;
}

export interface AuditRepo {
  record(input: Omit<AuditEventRecord, 'id' | 'createdAt'> & { createdAt?: Date }): Promise<AuditEventRecord>;
  list(appId: string, limit?: number): Promise<AuditEventRecord[]>;
}

export interface DrainRepo {
  create(input: New<DrainRecord>): Promise<DrainRecord>;
  list(appId: string): Promise<DrainRecord[]>;
  listAll(): Promise<DrainRecord[]>;
  /** By id, url or token. */
  get(appId: string, idOrUrl: string): Promise<DrainRecord | undefined>;
  delete(id: string): Promise<void>;
}

/** One stored metrics interval: the key, and the metrics room's bytes for it. */
export interface MetricPointRecord {
  appId: string;
  /** `router`, `dyno`, `log`. */
  kind: string;
  processType: string;
  /** The tier: 10, 60 or 600 seconds. */
  stepS: number;
  /** Epoch ms of the interval's start (a multiple of stepS). */
  startMs: number;
  /** The metrics room's encoding (opaque here). */
  data: Buffer;
}

export interface MetricEventRecord {
  appId: string;
  atMs: number;
  /** `deploy`, `release`, `rollback`, `restart`, `crash`, `R14`, `R15`, `scale`, `config`. */
  type: string;
  message: string;
  data: Record<string, unknown>;
}

export interface MetricPointQuery {
  appId: string;
  kind: string;
  stepS: number;
  /** Interval starts in [fromMs, toMs). */
  fromMs: number;
  toMs: number;
  processType?: string;
}

export interface MetricsRepo {
  /** The stored points with these keys (any order); missing ones are left out. */
  getMany(keys: readonly Omit<MetricPointRecord, 'data'>[]): Promise<MetricPointRecord[]>;
  /** Inserts or replaces each point. Throws MissingReferenceError for an app that is gone. */
  putMany(points: readonly MetricPointRecord[]): Promise<void>;
  /** Points of one app, kind and tier in a window, oldest first. */
  range(q: MetricPointQuery): Promise<MetricPointRecord[]>;
  /** Process types with points of this kind in the tier since `fromMs`. */
  processTypes(appId: string, kind: string, stepS: number, fromMs: number): Promise<string[]>;
  /** Deletes the tier's points that started before `beforeMs`; resolves to how many. */
  prune(stepS: number, beforeMs: number): Promise<number>;
  recordEvent(event: MetricEventRecord): Promise<void>;
  /** An app's events in [fromMs, toMs), oldest first, at most `limit`. */
  events(appId: string, fromMs: number, toMs: number, limit?: number): Promise<MetricEventRecord[]>;
  pruneEvents(beforeMs: number): Promise<number>;
}

/** Per-app switches of Heroku's app features API (labs) that have no column of their own. */
export interface AppFeatureRepo {
  /** Enabled, disabled, or undefined when never set. */
  get(appId: string, name: string): Promise<boolean | undefined>;
  set(appId: string, name: string, enabled: boolean): Promise<void>;
  /** Ids of the apps that have `name` enabled. */
  appsWith(name: string): Promise<string[]>;
}

/** An app's connection to a remote code repository (auto-deploy on push webhooks). */
export interface RepoConnectionRecord {
  appId: string;
  repoUrl: string;
  branch: string;
  webhookSecret: string;
  waitForCi: boolean;
  /** Base URL of the forge's API for commit statuses (`https://api.github.com`, `https://gitea.example/api/v1`). */
  ciApiUrl: string | null;
  ciToken: string | null;
  /** Whose name builds from this connection run under (the user who connected it). */
  userId: string;
  /** The last commit a webhook started a deploy of. */
  lastCommit: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface RepoConnectionRepo {
  get(appId: string): Promise<RepoConnectionRecord | undefined>;
  /** Creates or replaces the app's connection (keeps created_at). */
  put(input: Omit<RepoConnectionRecord, 'createdAt' | 'updatedAt' | 'lastCommit'>): Promise<RepoConnectionRecord>;
  delete(appId: string): Promise<boolean>;
  /** Records the commit a deploy was started for; false when it already was the last one (no second build). */
  claimCommit(appId: string, sha: string): Promise<boolean>;
  /** Records a webhook delivery id; false when it was already recorded (a replay). */
  recordDelivery(appId: string, deliveryId: string): Promise<boolean>;
}

/** A pipeline's code repository (review apps are built from its branches). */
export interface PipelineRepoRecord {
  pipelineId: string;
  repoUrl: string;
  webhookSecret: string;
  /** The forge's API for commit statuses (review apps' wait for CI). */
  ciApiUrl: string | null;
  ciToken: string | null;
  userId: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface ReviewAppConfigRecord {
  pipelineId: string;
  /** A push to a new branch creates its review app. */
  automaticReviewApps: boolean;
  /** Review apps idle for the configured time are destroyed. */
  destroyStaleApps: boolean;
  waitForCi: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type ReviewAppStatus = 'pending' | 'creating' | 'created' | 'deleting' | 'errored';

export interface ReviewAppRecord {
  id: string;
  pipelineId: string;
  appId: string | null;
  branch: string;
  status: ReviewAppStatus;
  message: string | null;
  commit: string | null;
  userId: string;
  lastPushAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** Heroku's add-on states (the CLI shows created, creating, destroying, errored). */
export type AddonState = 'provisioning' | 'provisioned' | 'deprovisioning' | 'deprovisioned';
export interface AddonRecord {
  id: string;
  /** Platform-wide unique: `postgresql-curved-12345`. */
  name: string;
  /** The owning (billing) app. */
  appId: string;
  /** `heroku-postgresql` */
  service: string;
  /** The plan's own name, without the service: `essential-0`. */
  plan: string;
  state: AddonState;
  /** What the provider made, in its own words (database, role, port…); opaque to everyone else. */
  providerState: Record<string, unknown>;
  /** The values attachments publish, by suffix: `{ URL: 'postgres://…' }` → `DATABASE_URL`. */
  config: Record<string, string>;
  provisionMessage: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ReviewAppRepo {
  getRepo(pipelineId: string): Promise<PipelineRepoRecord | undefined>;
  putRepo(input: Omit<PipelineRepoRecord, 'createdAt' | 'updatedAt'>): Promise<PipelineRepoRecord>;
  deleteRepo(pipelineId: string): Promise<void>;
  /** Records a webhook delivery id of the pipeline's repository; false when already recorded. */
  recordDelivery(pipelineId: string, deliveryId: string): Promise<boolean>;
  getConfig(pipelineId: string): Promise<ReviewAppConfigRecord | undefined>;
  putConfig(input: Omit<ReviewAppConfigRecord, 'createdAt' | 'updatedAt'>): Promise<ReviewAppConfigRecord>;
  deleteConfig(pipelineId: string): Promise<void>;
  create(input: Pick<ReviewAppRecord, 'pipelineId' | 'branch' | 'status' | 'userId'> & { commit: string | null }): Promise<ReviewAppRecord>;
  get(id: string): Promise<ReviewAppRecord | undefined>;
  findByBranch(pipelineId: string, branch: string): Promise<ReviewAppRecord | undefined>;
  findByApp(appId: string): Promise<ReviewAppRecord | undefined>;
  list(pipelineId: string): Promise<ReviewAppRecord[]>;
  update(id: string, patch: Partial<Pick<ReviewAppRecord, 'appId' | 'status' | 'message' | 'commit' | 'lastPushAt'>>): Promise<ReviewAppRecord>;
  delete(id: string): Promise<void>;
  /** Review apps of pipelines with `destroy_stale_apps`, last pushed before `before`. */
  listStale(before: Date): Promise<ReviewAppRecord[]>;
}

export interface AddonAttachmentRecord {
  id: string;
  addonId: string;
  appId: string;
  /** `DATABASE`, `HEROKU_POSTGRESQL_PINK`: the config var prefix on the app. */
  name: string;
  /** Heroku's credential namespace (`credential:analyst`); null for the default credential. */
  namespace: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface AddonRepo {
  /** A DuplicateError when the name is taken. */
  create(input: New<AddonRecord>): Promise<AddonRecord>;
  get(id: string): Promise<AddonRecord | undefined>;
  findByName(name: string): Promise<AddonRecord | undefined>;
  /** The add-ons an app owns, oldest first. */
  listByApp(appId: string): Promise<AddonRecord[]>;
  /** Every add-on owned by one of these apps (`addons -A`), oldest first. */
  listByApps(appIds: readonly string[]): Promise<AddonRecord[]>;
  /** Every add-on of a service (a provider's supervisor re-adopting its servers). */
  listByService(service: string): Promise<AddonRecord[]>;
  update(id: string, patch: Partial<Pick<AddonRecord, 'state' | 'providerState' | 'config' | 'plan' | 'provisionMessage'>>): Promise<AddonRecord>;
  /** Deletes the add-on and, with it, its attachments. */
  delete(id: string): Promise<void>;
}

export interface AddonAttachmentRepo {
  /** A DuplicateError when the app already has an attachment of that name. */
  create(input: New<AddonAttachmentRecord>): Promise<AddonAttachmentRecord>;
  get(id: string): Promise<AddonAttachmentRecord | undefined>;
  find(appId: string, name: string): Promise<AddonAttachmentRecord | undefined>;
  listByAddon(addonId: string): Promise<AddonAttachmentRecord[]>;
  listByApp(appId: string): Promise<AddonAttachmentRecord[]>;
  listByApps(appIds: readonly string[]): Promise<AddonAttachmentRecord[]>;
  delete(id: string): Promise<void>;
}

/** A job of the scheduler add-on: `command` run as a one-off `scheduler.N` dyno on `schedule`. */
export interface SchedulerJobRecord {
  id: string;
  appId: string;
  /** The N of its runs' dyno name `scheduler.N`; unique per app. */
  number: number;
  command: string;
  /** Canonical schedule text (scheduler/schedule.ts). */
  schedule: string;
  size: string;
  nextRunAt: Date;
  lastRunAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface SchedulerJobRepo {
  /** Gives the job the lowest free number of its app. */
  create(input: Omit<New<SchedulerJobRecord>, 'number' | 'lastRunAt'> & { id?: string }): Promise<SchedulerJobRecord>;
  list(appId: string): Promise<SchedulerJobRecord[]>;
  get(appId: string, id: string): Promise<SchedulerJobRecord | undefined>;
  /** Every job (of every app) whose next run is at or before `now`. */
  due(now: Date): Promise<SchedulerJobRecord[]>;
  /** Moves a due job to its next slot if it is still at `expectedNextRunAt`; undefined if another claim won. */
  claim(id: string, expectedNextRunAt: Date, nextRunAt: Date): Promise<SchedulerJobRecord | undefined>;
  delete(appId: string, id: string): Promise<SchedulerJobRecord>;
  deleteAll(appId: string): Promise<void>;
}

export interface Repos {
  users: UserRepo;
  tokens: TokenRepo;
  passwords: PasswordRepo;
  apps: AppRepo;
  collaborators: CollaboratorRepo;
  configVars: ConfigVarRepo;
  releases: ReleaseRepo;
  slugs: SlugRepo;
  builds: BuildRepo;
  buildpacks: BuildpackRepo;
  formation: FormationRepo;
  dynos: DynoRepo;
  domains: DomainRepo;
  audit: AuditRepo;
  drains: DrainRepo;
  monitors: MonitorRepo;
  metrics: MetricsRepo;
  appFeatures: AppFeatureRepo;
  // Environments (migration v7)
  pipelines: PipelineRepo;
  promotions: PromotionRepo;
  appManifests: AppManifestRepo;
  appSetups: AppSetupRepo;
  repoConnections: RepoConnectionRepo;
  reviewApps: ReviewAppRepo;
  addons: AddonRepo;
  addonAttachments: AddonAttachmentRepo;
  schedulerJobs: SchedulerJobRepo;
}

export interface Store extends Repos {
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Runs `fn` in one transaction: all its writes commit together or none do. Transactions are
   * serialisable per app for release numbering (no duplicate versions, no lost config change).
   */
  transaction<T>(fn: (tx: Repos) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
