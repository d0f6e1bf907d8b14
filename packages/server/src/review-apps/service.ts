/**
 * Review apps: per pipeline, an app per branch of the pipeline's repository, coupled at stage
 * `review`, built from the branch's commits, destroyed when the branch is deleted, on request, or
 * (with `destroy_stale_apps`) when no push came for the stale time. Pushes arrive as webhooks of
 * the pipeline's repository (GitHub, GitLab, Gitea: the auto-deploy room's verification); a new
 * branch gets a review app when `automatic_review_apps` is on (never the mainline, `main`/`master`),
 * or by `POST /review-apps` (`reviewapps:create -p P -b BRANCH`). With `wait_for_ci`, a commit is
 * built only once its combined CI status is success (auto-deploy's polling).
 */
import { randomBytes } from 'node:crypto';
import type { AppService } from '../apps/index.js';
import { combinedStatusUrl, isPushEvent, parsePush, verifyWebhook, waitForCi, type Headers } from '../auto-deploy/index.js';
import type { AppJson, Builder } from '../builds/index.js';
import { envSpecs, isValidBranch, redactRepoUrl, resolveEnv, scriptCommand } from '../builds/index.js';
import { ConflictError, InvalidParamsError, NotFoundError, SlipwayError } from '../errors.js';
import type { Logger } from '../log/index.js';
import type { LogSink } from '../logplex/types.js';
import type { AppRecord, PipelineRecord, PipelineRepoRecord, ReviewAppConfigRecord, ReviewAppRecord, Store, UserRecord } from '../store/types.js';
import { MAINLINE_BRANCHES, reviewAppName } from './naming.js';

export interface ReviewAppDeps {
  store: Store;
  apps: Pick<AppService, 'create' | 'destroy' | 'patchConfig' | 'scale'>;
  logs: LogSink;
  /** Runs an app.json script (postdeploy, pr-predestroy) in a one-off dyno of the app's current release. */
  runScript(app: AppRecord, command: string, onOutput: (text: string) => void): Promise<{ exitCode: number }>;
  builder: Pick<Builder, 'deployCommit' | 'waitForBuild' | 'branchTip'>;
  logger: Logger;
  /** A review app with no push for this long is destroyed when its pipeline has `destroy_stale_apps`. */
  staleMs: number;
  /** How often stale review apps are looked for. */
  sweepMs: number;
  /** Wait for CI's polling (auto-deploy's settings). */
  ci: { firstDelayMs: number; maxDelayMs: number; timeoutMs: number };
}

const GITHUB_API = 'https://api.github.com';

/** The status API of a pipeline's repository: its own, or GitHub's for github.com repositories. */
function ciApiOf(repo: PipelineRepoRecord): string | null {
  if (repo.ciApiUrl) return repo.ciApiUrl;
  try {
    return new URL(repo.repoUrl).hostname === 'github.com' ? GITHUB_API : null;
  } catch {
    return null;
  }
}

export type ReviewAppPush = { status: 'created' | 'updated' | 'destroyed' | 'ignored' | 'duplicate'; message: string; review_app: string | null };

const URL_SCHEMES = new Set(['http:', 'https:', 'git:']);

export function createReviewApps(deps: ReviewAppDeps) {
  const { store } = deps;
  const log = deps.logger.child({ component: 'review-apps' });
  const tasks = new Set<Promise<void>>();
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;

  function own(p: Promise<void>): void {
    const t = p.catch((err: unknown) => log.error('review_app.failed', { error: (err as Error)?.stack ?? String(err) })).finally(() => tasks.delete(t));
    tasks.add(t);
  }

  async function repoOf(pipeline: PipelineRecord): Promise<PipelineRepoRecord> {
    const repo = await store.reviewApps.getRepo(pipeline.id);
    if (!repo) throw new NotFoundError('repo', `Pipeline ${pipeline.name} is not connected to a code repository (slipway repo:connect URL -p ${pipeline.name}).`);
    return repo;
  }

  async function userOf(id: string): Promise<UserRecord> {
    const user = await store.users.get(id);
    if (!user) throw new SlipwayError('invalid_params', 'The user who connected the repository no longer exists; connect it again.');
    return user;
  }

  /** Builds `sha` on the review app's app, waiting for a build in progress; records the outcome. */
  /** Runs one of app.json's scripts (review's own first); its output goes to the app's log. */
  async function script(app: AppRecord, name: 'postdeploy' | 'pr-predestroy'): Promise<number | undefined> {
    const m = (await store.appManifests.get(app.id))?.manifest as AppJson | undefined;
    const command = scriptCommand(m?.environments?.review?.scripts?.[name] ?? m?.scripts?.[name]);
    if (!m || !command) return undefined;
    const say = (message: string) => deps.logs.publish(app.id, { source: 'app', dyno: `${name}.1`, message });
    let pending = '';
    const r = await deps.runScript(app, command, (text) => {
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) say(l);
    });
    if (pending) say(pending);
    deps.logs.publish(app.id, { source: 'app', dyno: 'api', message: `app.json ${name} script exited with ${r.exitCode}` });
    return r.exitCode;
  }

  /**
   * After a review app's first build (app.json is known only once the branch was fetched): config
   * vars from `env` and `environments.review.env` (review wins; `generator: secret` per app), the
   * formation, then `postdeploy`. A required variable without a value makes the review app errored.
   */
  async function setUp(ra: ReviewAppRecord, app: AppRecord, user: UserRecord): Promise<string | null> {
    const m = (await store.appManifests.get(app.id))?.manifest as AppJson | undefined;
    if (!m) return null;
    const review = m.environments?.review ?? {};
    const env = resolveEnv({ ...envSpecs(m), ...envSpecs(review) }, {});
    if (!env.ok) return `app.json: required config vars have no value for review apps: ${env.missing.join(', ')}.`;
    if (Object.keys(env.config).length > 0) await deps.apps.patchConfig(user, app, env.config);
    const formation = review.formation ?? m.formation;
    if (formation) await deps.apps.scale(user, app, Object.entries(formation).map(([type, f]) => ({ type, quantity: f.quantity, size: f.size })));
    const code = await script(app, 'postdeploy');
    return code !== undefined && code !== 0 ? `app.json postdeploy script failed (exit ${code}).` : null;
  }

  async function build(ra: ReviewAppRecord, repo: PipelineRepoRecord, sha: string, user: UserRecord, first = false): Promise<void> {
    const app = ra.appId ? await store.apps.get(ra.appId) : undefined;
    if (!app) return;
    const config = await store.reviewApps.getConfig(ra.pipelineId);
    const api = ciApiOf(repo);
    if (config?.waitForCi && api) {
      await store.reviewApps.update(ra.id, { status: 'pending', message: `Waiting for the CI status of ${sha.slice(0, 7)} to be success.` });
      const outcome = await waitForCi({
        statusUrl: combinedStatusUrl(api, repo.repoUrl, sha)!, token: repo.ciToken, signal: abort.signal, ...deps.ci,
        onState: (state) => deps.logs.publish(app.id, { source: 'app', dyno: 'api', message: `CI status of ${sha.slice(0, 7)}: ${state}` }),
      });
      if (outcome === 'aborted') return;
      const current = await store.reviewApps.get(ra.id);
      if (!current || current.status === 'deleting' || current.commit !== sha) return;
      if (outcome !== 'success') {
        await store.reviewApps.update(ra.id, { status: 'errored', message: `Not deployed: CI ${outcome === 'timeout' ? 'did not finish in time' : `reported ${outcome}`} for ${sha.slice(0, 7)}.` });
        return;
      }
      await store.reviewApps.update(ra.id, { status: 'creating', message: null });
    }
    const until = Date.now() + 30 * 60_000;
    for (;;) {
      try {
        const b = await deps.builder.deployCommit({ app, user, commit: { url: repo.repoUrl, branch: ra.branch, sha } });
        await Promise.race([deps.builder.waitForBuild(b.id), new Promise<void>((r) => abort.signal.addEventListener('abort', () => r(), { once: true }))]);
        const done = await store.builds.get(app.id, b.id);
        const ok = done?.status === 'succeeded';
        const problem = !ok ? `The build of ${sha.slice(0, 7)} failed: see the build output of ${app.name}.` : first ? await setUp(ra, app, user) : null;
        const current = await store.reviewApps.get(ra.id);
        if (current && current.status !== 'deleting') {
          await store.reviewApps.update(ra.id, { status: problem ? 'errored' : 'created', message: problem });
        }
        return;
      } catch (err) {
        if (!(err instanceof ConflictError) || Date.now() > until || abort.signal.aborted) throw err;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  /** A new review app for the branch: its app, coupled at `review`, then the build (in the background). */
  async function create(pipeline: PipelineRecord, repo: PipelineRepoRecord, branch: string, sha: string, user: UserRecord): Promise<ReviewAppRecord> {
    let ra = await store.reviewApps.create({ pipelineId: pipeline.id, branch, status: 'creating', userId: user.id, commit: sha });
    try {
      const base = reviewAppName(pipeline.name, branch);
      let app;
      for (let i = 1; !app; i++) {
        const name = i === 1 ? base : `${base.slice(0, 27 - String(i).length)}-${i}`;
        try {
          app = await deps.apps.create(user, { name });
        } catch (err) {
          if (!(err instanceof SlipwayError && err.code === 'name_taken') || i >= 20) throw err;
        }
      }
      await store.pipelines.couple({ pipelineId: pipeline.id, appId: app.id, stage: 'review' });
      ra = await store.reviewApps.update(ra.id, { appId: app.id });
      log.info('review_app.created', { pipeline: pipeline.name, branch, app: app.name });
    } catch (err) {
      await store.reviewApps.update(ra.id, { status: 'errored', message: (err as Error).message });
      throw err;
    }
    const created = ra;
    own(build(created, repo, sha, user, true));
    return created;
  }

  async function destroy(ra: ReviewAppRecord): Promise<ReviewAppRecord> {
    const deleting = await store.reviewApps.update(ra.id, { status: 'deleting' });
    const app = ra.appId ? await store.apps.get(ra.appId) : undefined;
    if (app) {
      // Heroku runs pr-predestroy before the app goes, whatever it returns.
      await script(app, 'pr-predestroy').catch((err: unknown) => log.warn('review_app.predestroy_failed', { app: app.name, error: String(err) }));
      const owner = await store.users.get(app.ownerId);
      if (owner) await deps.apps.destroy(owner, app);
    }
    await store.reviewApps.delete(ra.id);
    log.info('review_app.destroyed', { pipeline: ra.pipelineId, branch: ra.branch, app: app?.name });
    return deleting;
  }

  let sweeping = false;
  /** Destroys the stale review apps; one sweep at a time (a slow one is not overtaken by the next). */
  async function sweep(): Promise<void> {
    if (sweeping) return;
    sweeping = true;
    try {
      for (const ra of await store.reviewApps.listStale(new Date(Date.now() - deps.staleMs))) {
        if (abort.signal.aborted) return;
        await destroy(ra).catch((err: unknown) => log.error('review_app.destroy_failed', { id: ra.id, error: String(err) }));
      }
    } finally {
      sweeping = false;
    }
  }

  return {
    repoOf,

    async connectRepo(user: UserRecord, pipeline: PipelineRecord, input: { repoUrl: string; rotateSecret?: boolean; ciApiUrl?: string | null; ciToken?: string | null }): Promise<PipelineRepoRecord> {
      let u: URL | undefined;
      try {
        // eslint-disable-next-line no-control-regex -- control characters are what is looked for
        u = /[\u0000-\u0020\u007f]/.test(input.repoUrl) ? undefined : new URL(input.repoUrl);
      } catch {
        u = undefined;
      }
      if (!u || !URL_SCHEMES.has(u.protocol)) throw new InvalidParamsError('repo_url must be an absolute http, https or git URL.', 'repo_url');
      const existing = await store.reviewApps.getRepo(pipeline.id);
      const ciApiUrl = input.ciApiUrl === undefined ? existing?.ciApiUrl ?? null : input.ciApiUrl;
      if (ciApiUrl !== null) {
        let api: URL | undefined;
        try {
          api = new URL(ciApiUrl);
        } catch {
          api = undefined;
        }
        if (!api || (api.protocol !== 'http:' && api.protocol !== 'https:')) throw new InvalidParamsError('ci_api_url must be an absolute http or https URL.', 'ci_api_url');
      }
      return store.reviewApps.putRepo({
        pipelineId: pipeline.id, repoUrl: input.repoUrl, userId: user.id, ciApiUrl,
        ciToken: input.ciToken === undefined ? existing?.ciToken ?? null : input.ciToken,
        webhookSecret: existing && !input.rotateSecret ? existing.webhookSecret : randomBytes(32).toString('hex'),
      });
    },

    async disconnectRepo(pipeline: PipelineRecord): Promise<PipelineRepoRecord> {
      const repo = await repoOf(pipeline);
      await store.reviewApps.deleteRepo(pipeline.id);
      return repo;
    },

    async branchTip(pipeline: PipelineRecord, branch: string): Promise<string | undefined> {
      const repo = await repoOf(pipeline);
      return isValidBranch(branch) ? deps.builder.branchTip(repo.repoUrl, branch) : undefined;
    },

    async config(pipeline: PipelineRecord): Promise<ReviewAppConfigRecord> {
      const c = await store.reviewApps.getConfig(pipeline.id);
      if (!c) throw new NotFoundError('review-app-config', `Review apps are not enabled for pipeline ${pipeline.name}.`);
      return c;
    },

    /** Enables (creating the config with defaults off) or changes the pipeline's review-app settings. */
    async configure(pipeline: PipelineRecord, patch: { automatic?: boolean; destroyStale?: boolean; waitForCi?: boolean }): Promise<ReviewAppConfigRecord> {
      const repo = await repoOf(pipeline);
      if (patch.waitForCi && (!ciApiOf(repo) || !combinedStatusUrl(ciApiOf(repo)!, repo.repoUrl, '0'.repeat(40)))) {
        throw new InvalidParamsError(`wait_for_ci needs the status API of the pipeline's repository: slipway repo:connect URL -p ${pipeline.name} --ci-api URL (https://host/owner/repo URLs).`, 'wait_for_ci');
      }
      const c = await store.reviewApps.getConfig(pipeline.id);
      return store.reviewApps.putConfig({
        pipelineId: pipeline.id, automaticReviewApps: patch.automatic ?? c?.automaticReviewApps ?? false,
        destroyStaleApps: patch.destroyStale ?? c?.destroyStaleApps ?? false, waitForCi: patch.waitForCi ?? c?.waitForCi ?? false,
      });
    },

    async disable(pipeline: PipelineRecord): Promise<void> {
      await store.reviewApps.deleteConfig(pipeline.id);
    },

    /** `POST /review-apps`: the branch's tip, built as a new review app (or the existing one's new build). */
    async createFor(user: UserRecord, pipeline: PipelineRecord, branch: string): Promise<ReviewAppRecord> {
      if (!(await store.reviewApps.getConfig(pipeline.id))) throw new NotFoundError('review-app-config', `Review apps are not enabled for pipeline ${pipeline.name} (reviewapps:enable).`);
      const repo = await repoOf(pipeline);
      if (!isValidBranch(branch)) throw new InvalidParamsError('branch is not a valid branch name.', 'branch');
      const sha = await deps.builder.branchTip(repo.repoUrl, branch);
      if (!sha) throw new NotFoundError('branch', `The branch ${branch} doesn't exist in ${redactRepoUrl(repo.repoUrl)}.`);
      const existing = await store.reviewApps.findByBranch(pipeline.id, branch);
      if (existing) {
        const updated = await store.reviewApps.update(existing.id, { status: 'creating', commit: sha, lastPushAt: new Date() });
        own(build(updated, repo, sha, user));
        return updated;
      }
      return create(pipeline, repo, branch, sha, user);
    },

    get: async (id: string) => {
      const ra = await store.reviewApps.get(id);
      if (!ra) throw new NotFoundError('review-app', `Couldn't find that review app.`);
      return ra;
    },
    destroy,
    list: (pipeline: PipelineRecord) => store.reviewApps.list(pipeline.id),
    forApp: async (appId: string) => {
      const ra = await store.reviewApps.findByApp(appId);
      if (!ra) throw new NotFoundError('review-app', 'This app is not a review app.');
      return ra;
    },

    /** A push webhook of the pipeline's repository; throws `unauthorized` when its proof is wrong. */
    async receive(pipelineId: string, headers: Headers, body: Buffer, remote: string): Promise<ReviewAppPush> {
      const pipeline = await store.pipelines.get(pipelineId);
      const repo = pipeline && (await store.reviewApps.getRepo(pipeline.id));
      if (!pipeline || !repo) throw new NotFoundError('repo', 'No pipeline with this id is connected to a code repository.');
      const verdict = verifyWebhook(headers, body, repo.webhookSecret);
      if (!verdict.ok) {
        log.warn('review_app.webhook_refused', { pipeline: pipeline.name, reason: verdict.reason, remote });
        throw new SlipwayError('unauthorized', `Webhook refused: ${verdict.reason}.`);
      }
      const ignored = (message: string): ReviewAppPush => ({ status: 'ignored', message, review_app: null });
      if (!isPushEvent(verdict.event)) return ignored(`Event ${verdict.event || '(none)'} is not a push.`);
      let push;
      try {
        push = parsePush(JSON.parse(body.toString('utf8')));
      } catch {
        throw new SlipwayError('bad_request', 'The webhook body is not JSON (set the content type to application/json).');
      }
      if (!push) return ignored('Not a push to a branch.');
      if (verdict.deliveryId && !(await store.reviewApps.recordDelivery(pipeline.id, verdict.deliveryId))) {
        return { status: 'duplicate', message: `Delivery ${verdict.deliveryId} was already received.`, review_app: null };
      }
      const existing = await store.reviewApps.findByBranch(pipeline.id, push.branch);
      if (!push.sha) {
        if (!existing) return ignored(`Branch ${push.branch} has no review app.`);
        await destroy(existing);
        return { status: 'destroyed', message: `Branch ${push.branch} was deleted: its review app is destroyed.`, review_app: existing.id };
      }
      const config = await store.reviewApps.getConfig(pipeline.id);
      if (!config) return ignored(`Review apps are not enabled for pipeline ${pipeline.name}.`);
      const user = await userOf(repo.userId);
      if (existing) {
        if (existing.commit === push.sha && existing.status !== 'errored') return { status: 'duplicate', message: `Commit ${push.sha} was already built.`, review_app: existing.id };
        const updated = await store.reviewApps.update(existing.id, { status: 'creating', commit: push.sha, lastPushAt: new Date() });
        own(build(updated, repo, push.sha, user));
        return { status: 'updated', message: `Building ${push.sha} on the review app of ${push.branch}.`, review_app: existing.id };
      }
      if (!config.automaticReviewApps) return ignored('Automatic review apps are off for this pipeline (reviewapps:enable --autodeploy).');
      if (MAINLINE_BRANCHES.includes(push.branch)) return ignored(`${push.branch} is the mainline: no review app.`);
      const ra = await create(pipeline, repo, push.branch, push.sha, user);
      return { status: 'created', message: `Creating the review app of ${push.branch}.`, review_app: ra.id };
    },

    start(): void {
      timer = setInterval(() => own(sweep()), deps.sweepMs);
      timer.unref();
    },
    /** Resolves when the builds started so far have finished (tests). */
    async idle(): Promise<void> {
      while (tasks.size > 0) await Promise.all([...tasks]);
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      abort.abort();
      await Promise.all([...tasks]);
    },
  };
}

export type ReviewApps = ReturnType<typeof createReviewApps>;
